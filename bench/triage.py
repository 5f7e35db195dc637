"""Ranking quality and routing accuracy of grace's triage, against the generator's truth.

A seeded benign synthetic stream (urgency drawn from hidden causes, seen only through weak,
noisy and partly misleading traces: ``grace.demo.latent`` / ``traces``) is described
without pixels and loaded into a temporary SQLite workspace; grace's own intelligence
stage then extracts identifiers, routes, links and clusters subjects (so links and
recidivism are what grace finds, not the generator's subject ids). Media status counts
(known / viral / duplicate / new) are the ones the matching stage would record, taken from
the pool's facts because the sketch has no pixels.

The stream is split by arrival: the first ``--history`` referrals are the unit's past,
from which analysts' decisions are simulated (top-down from the ``rules_v1`` queue, 20 %
random spot checks, 5 % wrong labels); the rest is held out and ranked by arrival order
(baseline), ``rules_v1``, and ``learned_v1`` after 200 and 1,000 decisions. ``rules_v1``'s
weights were tuned on other seeds (``bench/triage_tune.py``), never on this stream.
Top-5 % shares get a 95 % bootstrap interval over the urgent referrals, and the
learned-minus-rules difference a paired one; the best any single feature does alone is
reported as a check that the instrument is no giveaway. Routing is judged against each referral's
true country mapped through the routing table. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select, update

from grace.demo.sketch import Sketch, describe, media_counts
from grace.demo.writers_json import grace_referral
from grace.ingest import persist
from grace.ingest.assemble import Unit
from grace.intel.routing_table import load_routing_table
from grace.intel.service import IntelProcessor
from grace.store.tables import Referral
from grace.triage.base import TriageInput
from grace.triage.blend import Blended
from grace.triage.features import FEATURES, facts, vector
from grace.triage.inputs import triage_inputs
from grace.triage.metrics import evaluate, ranking, simulate_decisions, urgent_share_in_top
from grace.triage.rules import RulesV1
from grace.workspace import Workspace

CHUNK = 2000
BOOTSTRAP = 2000


def load(workspace: Workspace, sketch: Sketch) -> dict[int, int]:
    """Store every described referral with its media counts; workspace id -> stream index."""
    counts = media_counts(sketch)
    for start in range(0, len(sketch.referrals), CHUNK):
        batch = []
        for synth in sketch.referrals[start : start + CHUNK]:
            model = grace_referral(synth)
            for file in model.files:
                file.name = None  # described, no bytes: nothing to pair with
            document = model.model_dump_json(exclude_none=True).encode()
            unit = Unit(model, f"bench:{synth.index}", "referral.json", document)
            batch.append(persist.prepare(unit, "bench"))
        persist.write_blobs(workspace.vault, batch)
        with workspace.sessions.begin() as session:
            persist.record(session, batch)
            for prepared, synth in zip(batch, sketch.referrals[start:], strict=False):
                session.execute(
                    update(Referral)
                    .where(Referral.id == prepared.id)
                    .values(media_counts=counts[synth.index])
                )
    with workspace.sessions() as session:
        rows = session.execute(select(Referral.id, Referral.source)).all()
    return {ident: int(source.split(":")[1]) for ident, source in rows}


def stream(root: Path, referrals: int, seed: int) -> tuple[Workspace, Sketch, dict[int, int]]:
    """A workspace holding the analysed stream, the sketch, and id -> stream index."""
    sketch = describe(referrals, seed)
    workspace = Workspace.init(root / "home")
    index = load(workspace, sketch)
    IntelProcessor(workspace, "bench").run()
    return workspace, sketch, index


def scorer_inputs(workspace: Workspace, sketch: Sketch) -> dict[int, TriageInput]:
    """What every scorer sees, gathered by grace's own triage service code."""
    with workspace.sessions() as session:
        return {it.referral_id or 0: it for it in triage_inputs(session, sketch.reference)}


def routing_quality(
    workspace: Workspace, sketch: Sketch, index: Mapping[int, int]
) -> dict[str, float]:
    table = load_routing_table()
    expected = {c: a.id for a in table.agencies for c in a.countries}
    with workspace.sessions() as session:
        rows = session.execute(select(Referral.id, Referral.routing)).all()
    routed = correct = unresolved = 0
    for ident, decision in rows:
        if not decision:
            continue
        if decision["unresolved"]:
            unresolved += 1
            continue
        routed += 1
        country = sketch.referrals[index[ident]].country or ""
        correct += decision["agency"] == expected.get(country, table.coordinator.id)
    total = routed + unresolved
    return {
        "routing_correct": round(correct / routed, 4) if routed else 0.0,
        "routing_unresolved": round(unresolved / total, 4) if total else 0.0,
        "routing_routed": routed,
    }


def hits_in_top5(scores: Mapping[int, float], urgent: list[int]) -> list[int]:
    """1/0 per urgent referral: is it in the top 5 % of this ranking?"""
    k = max(1, -(-len(scores) * 5 // 100))
    top = set(ranking(scores)[:k])
    return [int(i in top) for i in urgent]


def interval(values: list[float], rng: random.Random) -> list[float]:
    """95 % percentile bootstrap interval of the mean of ``values``."""
    means = sorted(sum(rng.choices(values, k=len(values))) / len(values) for _ in range(BOOTSTRAP))
    return [round(means[int(0.025 * BOOTSTRAP)], 3), round(means[int(0.975 * BOOTSTRAP) - 1], 3)]


def best_single_feature(
    items: Mapping[int, TriageInput], urgent: Mapping[int, bool], held_out: list[int]
) -> dict[str, object]:
    """The best top-5 % share reached by ranking on one feature alone (either direction):
    how much a single field gives away."""
    vectors = {i: vector(facts(items[i]), 0.0) for i in held_out}
    truth = {i: urgent[i] for i in held_out}
    best: tuple[float, str] = (0.0, "")
    for j, name in enumerate(FEATURES):
        if name == "rules_score":
            continue
        for sign in (1.0, -1.0):
            share = urgent_share_in_top({i: sign * v[j] for i, v in vectors.items()}, truth, 0.05)
            best = max(best, (share, name))
    return {"feature": best[1], "urgent_top5": round(best[0], 4)}


def rank_all(
    items: Mapping[int, TriageInput], urgent: Mapping[int, bool], history: int
) -> dict[str, dict[int, float]]:
    """Each ranker's scores on the held-out referrals (ids after the first ``history``)."""
    ids = sorted(items)
    past, held_out = ids[:history], ids[history:]
    rules = RulesV1()
    rule_scores = {i: rules.score(items[i]).score for i in ids}
    rankings: dict[str, dict[int, float]] = {
        "arrival": {i: -float(i) for i in held_out},
        "rules_v1": {i: rule_scores[i] for i in held_out},
    }
    for n in (200, 1000):
        decided = simulate_decisions(
            {i: rule_scores[i] for i in past}, {i: urgent[i] for i in past}, n, random.Random(n)
        )
        chosen = sorted(decided)
        blended = Blended.train([items[i] for i in chosen], [decided[i] for i in chosen], rules)
        rankings[f"learned_v1_{n}"] = {i: blended.score(items[i]).score for i in held_out}
    return rankings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory(prefix="grace-triage-") as tmp:
        workspace, sketch, index = stream(Path(tmp), args.referrals, args.seed)
        items = scorer_inputs(workspace, sketch)
        urgent = {i: sketch.referrals[index[i]].truly_urgent for i in items}
        rankings = rank_all(items, urgent, args.history)
        single = best_single_feature(items, urgent, sorted(rankings["rules_v1"]))
        result: dict[str, object] = dict(evaluate(rankings, urgent))
        result |= routing_quality(workspace, sketch, index)
        workspace.close()
    held_urgent = [i for i in rankings["rules_v1"] if urgent[i]]
    hits = {name: hits_in_top5(scores, held_urgent) for name, scores in rankings.items()}
    rng = random.Random(0)
    result["best_single_feature"] = single
    result["urgent_top5_ci95"] = {
        name: interval([float(h) for h in v], rng) for name, v in sorted(hits.items())
    }
    result["learned_v1_1000_minus_rules_v1_top5_ci95"] = interval(
        [float(a - b) for a, b in zip(hits["learned_v1_1000"], hits["rules_v1"], strict=True)],
        rng,
    )
    result |= {
        "seed": args.seed,
        "referrals": len(items),
        "history": args.history,
        "held_out": len(rankings["rules_v1"]),
        "urgent_held_out": len(held_urgent),
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
