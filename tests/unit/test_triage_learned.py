"""learned_v1 and blending: reproducible, calibrated, serialisable without pickle."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace

import pytest

from grace.demo.sketch import describe, triage_view
from grace.triage.base import TriageInput
from grace.triage.blend import Blended
from grace.triage.features import facts
from grace.triage.learned import LearnedV1
from grace.triage.metrics import simulate_decisions
from grace.triage.rules import RulesV1

Stream = tuple[dict[int, TriageInput], dict[int, bool], dict[int, str]]


@pytest.fixture(scope="module")
def stream() -> Stream:
    items, truth = triage_view(describe(900, 4))
    rules = RulesV1()
    scores = {rid: rules.score(it).score for rid, it in items.items()}
    labels = simulate_decisions(scores, truth, 300, random.Random(1))
    return items, truth, labels


def trained(stream: Stream, n: int | None = None) -> LearnedV1:
    items, _, labels = stream
    ids = sorted(labels)[:n]
    return LearnedV1().fit([items[i] for i in ids], [labels[i] for i in ids])


def test_round_trip_gives_identical_scores(stream: Stream) -> None:
    model = trained(stream)
    text = model.to_json()
    assert json.loads(text)["features"]  # plain JSON, no pickle anywhere
    again = LearnedV1.from_json(text)
    assert again.to_json() == text
    for it in list(stream[0].values())[:200]:
        assert model.score(it).model_dump_json() == again.score(it).model_dump_json()


def test_fit_is_deterministic_and_calibrated(stream: Stream) -> None:
    a, b = trained(stream), trained(stream)
    assert a.to_json() == b.to_json()
    assert a.model is not None and a.model["method"] == "sigmoid"  # few decisions
    scores = [a.score(it) for it in stream[0].values()]
    assert all(0.0 <= s.score <= 100.0 for s in scores)
    assert len({round(s.score, 3) for s in scores}) > 20
    top = max(scores, key=lambda s: s.score)
    assert top.factors and all(f.explanation for f in top.factors)
    pushes = [abs(f.contribution) for f in top.factors]
    assert pushes == sorted(pushes, reverse=True)
    assert top.version.startswith("2.2+m")


def test_refuses_bad_labels_and_foreign_models(stream: Stream) -> None:
    items = list(stream[0].values())[:10]
    with pytest.raises(ValueError, match="labels must be one of"):
        LearnedV1().fit(items, ["maybe"] * 10)
    with pytest.raises(ValueError, match="needs 2\\+ urgent"):
        LearnedV1().fit(items, ["not_actionable"] * 10)
    text = json.loads(trained(stream).to_json())
    text["features"] = ["something", "else"]
    with pytest.raises(ValueError, match="different feature list"):
        LearnedV1.from_json(json.dumps(text))
    with pytest.raises(RuntimeError, match="not trained"):
        LearnedV1().score(items[0])


def test_blending_switches_at_min_decisions(stream: Stream) -> None:
    items, _, labels = stream
    ids = sorted(labels)
    rules = RulesV1()
    learned = trained(stream)
    assert learned.model is not None
    # the arithmetic of a model that predicted the decisions better than the rules
    learned.model["out_of_fold_log_loss"] = {"model": 0.1, "rules": 0.2}
    it = items[ids[0]]
    below = Blended(rules, learned, 199).score(it)
    assert below.model_dump_json() == rules.score(it).model_dump_json()
    blended = Blended(rules, learned, 200)
    assert blended.weight == pytest.approx(0.2)
    assert Blended(rules, learned, 5000).weight == 0.8
    score = blended.score(it)
    assert score.scorer == "learned_v1"
    expected = 0.2 * learned.score(it).score + 0.8 * rules.score(it).score
    assert score.score == pytest.approx(expected, abs=1e-3)
    names = [f.name for f in score.factors]
    assert names[0] == "blend"
    assert any(n.startswith("rules:") for n in names)
    assert any(n.startswith("model:") for n in names)
    few = Blended.train([items[i] for i in ids[:150]], [labels[i] for i in ids[:150]])
    assert few.learned is None and few.weight == 0.0
    enough = Blended.train([items[i] for i in ids], [labels[i] for i in ids])
    assert enough.learned is not None and enough.learned.model is not None
    held = enough.learned.model["out_of_fold_log_loss"]
    ranked = enough.learned.model["out_of_fold_average_precision"]
    earned = held["model"] < held["rules"] or (
        ranked["model"] > ranked["rules"] and held["model"] <= 1.05 * held["rules"]
    )
    assert enough.weight == (pytest.approx(0.3) if earned else 0.0)


def test_factors_add_up_to_the_calibrated_odds(stream: Stream) -> None:
    """Tree-path attribution: base + pushes is the raw log-odds behind the probability."""
    model = trained(stream)
    assert model.model is not None
    cal = model.model["calibration"]
    for it in list(stream[0].values())[:50]:
        score = model.score(it)
        x = model._vector(facts(it), model.extra_features())
        base, pushes = model.attribution(x)
        z = cal["a"] * (base + sum(pushes)) + cal["b"]
        assert score.score == pytest.approx(100 / (1 + math.exp(-z)), abs=1e-3)
        listed = {f.name: f.contribution for f in score.factors}
        for name, push in zip(model.model["features"], pushes, strict=True):
            if name in listed:
                assert listed[name] == pytest.approx(push * cal["a"], abs=1e-3)


def test_providers_get_their_own_feature(stream: Stream) -> None:
    """Providers report differently, so each one decided often enough is a feature."""
    model = trained(stream)
    assert model.providers(), "the dominant providers appear in 300 decisions"
    assert model.model is not None
    extra = [n for n in model.extra_features() if n.startswith("esp:")]
    assert extra == [f"esp:{p}" for p in model.providers()]
    assert all(n.startswith(("esp:", "esc:")) for n in model.extra_features())
    foreign = json.loads(model.to_json())
    foreign["features"][-1] = "country"
    with pytest.raises(ValueError, match="different feature list"):
        LearnedV1.from_json(json.dumps(foreign))


def test_trees_start_from_the_rules(stream: Stream) -> None:
    """Boosting starts at the rules' own log-odds: the model's raw log-odds differ from them
    by at most what the trees can add, and the rules' share is listed as a factor."""
    model = trained(stream)
    assert model.model is not None and model.model["start"] == "rules_v1"
    m = model.model
    reach = sum(m["learning_rate"] * max(abs(v) for v in t["value"]) for t in m["trees"])
    rules = RulesV1()
    moved = 0.0
    for it in list(stream[0].values())[:100]:
        x = model._vector(facts(it), model.extra_features())
        base, pushes = model.attribution(x)
        p = min(1 - 1e-4, max(1e-4, rules.score(it).score / 100))
        gap = abs(base + sum(pushes) - math.log(p / (1 - p)))
        assert gap <= reach + 1e-9
        moved = max(moved, gap)
    assert 0 < moved <= reach


def _with_agencies(stream: Stream) -> tuple[list[TriageInput], list[str]]:
    """The decided referrals routed to A or B in turn within each label (so both see urgent
    ones whatever the rules ranked first), or to SMALL (the last 20)."""
    items, _, labels = stream
    ids = sorted(labels)
    turn: dict[str, int] = {}
    agency = {}
    for i in ids:
        n = turn[labels[i]] = turn.get(labels[i], -1) + 1
        agency[i] = "A" if n % 2 == 0 else "B"
    agency.update({i: "SMALL" for i in ids[-20:]})
    routed = [replace(items[i], agency=agency[i]) for i in ids]
    return routed, [labels[i] for i in ids]


def test_calibrated_per_agency_with_a_global_fallback() -> None:
    """Agencies with enough labels of both kinds get their own Platt curve; others the
    global one; the explanation says which, and the factors stay shares of its log-odds."""
    items, truth = triage_view(describe(900, 4))
    rules = RulesV1()
    scores = {rid: rules.score(it).score for rid, it in items.items()}
    labels = simulate_decisions(scores, truth, 300, random.Random(1))
    routed, y = _with_agencies((items, truth, labels))
    model = LearnedV1().fit(routed, y, ["decision"] * 250 + ["outcome:de-bka"] * 50)
    m = model.model
    assert m is not None and m["label_sources"] == {"decision": 250, "outcome:de-bka": 50}
    assert set(m["agency_calibration"]) == {"A", "B"}  # SMALL has 20 labels: global
    assert all(c["labels"] >= 60 and c["urgent"] >= 5 for c in m["agency_calibration"].values())
    for item in routed[:5] + routed[-5:]:
        score = model.score(item)
        x = model._vector(facts(item), model.extra_features())
        base, pushes = model.attribution(x)
        own = m["agency_calibration"].get(item.agency or "")
        a, b = (own["a"], own["b"]) if own else (m["calibration"]["a"], m["calibration"]["b"])
        assert score.score == pytest.approx(
            100 / (1 + math.exp(-(a * (base + sum(pushes)) + b))), abs=1e-3
        )
        last = score.factors[-1]
        assert last.name == "calibration" and last.contribution == 0.0
        if own:
            assert (
                last.explanation
                == f"calibrated for {item.agency} (Platt on its {own['labels']} labels)"
            )
        else:
            assert last.explanation.startswith("global calibration (SMALL has too few labels")
    # the same referral, routed elsewhere, keeps its factors' order but not its probability
    item = routed[0]
    here, there = model.score(replace(item, agency="A")), model.score(replace(item, agency="B"))
    both = {f.name for f in here.factors} & {f.name for f in there.factors}
    assert [f.name for f in here.factors if f.name in both] == [
        f.name for f in there.factors if f.name in both
    ]
    assert here.score != there.score


def test_registry_form_rebuilds_the_same_model_and_refuses_altered_meta(stream: Stream) -> None:
    """Arrays + meta (what grace.learn's registry stores) give the identical model back."""
    from grace.learn.registry import RegistryError
    from grace.learn.triage_model import from_registry, to_registry

    routed, y = _with_agencies(stream)
    model = LearnedV1().fit(routed, y)
    arrays, meta = to_registry(model)
    assert all(a.dtype.kind in "if" for a in arrays)  # numbers only: no pickle possible
    again = from_registry(arrays, json.loads(json.dumps(meta)))
    assert again.to_json() == model.to_json() and again.model_version == model.model_version
    for it in routed[:50]:
        assert again.score(it).model_dump_json() == model.score(it).model_dump_json()
    altered = json.loads(json.dumps(meta))
    altered["model"]["out_of_fold_log_loss"]["model"] = 0.0  # would unlock the blend
    with pytest.raises(RegistryError, match="meta altered"):
        from_registry(arrays, altered)
    with pytest.raises(RegistryError, match="layout"):
        from_registry(arrays[:-1], meta)
