"""Ranking quality and routing accuracy of grace's triage on several independent streams.

Each generator under ``bench/streams`` tells a different causal story of what puts a
child in danger and what raises alarm falsely (docs/triage.md): ``grace_demo`` (grace's
own demo generator), ``ncmec_le`` (NCMEC law-enforcement JSON shaped by how providers
detect), ``multilingual`` (a European unit's stream, a third of the telling text in
other languages), ``eu_direct`` (providers' CyberTipline XML to an EU centre) and
``unit_cases`` (a Nordic/Baltic unit: games, live streams, payments); the last two were
written by authors who never read grace's scorer. Every stream goes through grace's
ingestors and intelligence stage (``triage_run.py``).

Per generator, the first ``--history`` share of referrals is the unit's past, from which
analysts' decisions are simulated (top-down from the ``rules_v1`` queue, 20 % random spot
checks, 5 % wrong labels); the rest is held out and ranked by arrival order (baseline),
``rules_v1`` (packaged weights, tuned by ``triage_tune.py`` on *other seeds*),
``rules_v1_logo`` (weights fitted on the *other generators* only: leave one generator
out, the honest figure for a stream grace was never tuned on) and ``learned_v1`` after 200
and 1,000 decisions. Each metric carries a 95 % bootstrap interval over the held-out
referrals. Routing is judged against each referral's true country through the routing
table. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import yaml

from grace.intel.routing_table import load_routing_table
from grace.triage.blend import Blended
from grace.triage.features import FEATURES, vector
from grace.triage.metrics import evaluate, ranking, simulate_decisions, urgent_share_in_top
from grace.triage.rules import RulesV1

sys.path.insert(0, str(Path(__file__).parent))
from triage_run import GENERATORS, Analysed, analysed  # sibling bench scripts
from triage_tune import fit_weights

BOOTSTRAP = 1000
METRICS = ("urgent_top1", "urgent_top5", "ndcg100")


def routing_quality(runs: list[Analysed]) -> dict[str, float]:
    table = load_routing_table()
    expected = {c: a.id for a in table.agencies for c in a.countries}
    routed = correct = unresolved = 0
    for run in runs:
        for ident, decision in run.routing.items():
            if not decision:
                continue
            if decision["unresolved"]:
                unresolved += 1
                continue
            routed += 1
            country = run.countries.get(ident) or ""
            correct += decision["agency"] == expected.get(country, table.coordinator.id)
    total = routed + unresolved
    return {
        "routing_correct": round(correct / routed, 4) if routed else 0.0,
        "routing_unresolved": round(unresolved / total, 4) if total else 0.0,
        "routing_routed": routed,
    }


def with_intervals(
    scores: Mapping[int, float], urgent: Mapping[int, bool], rng: random.Random
) -> dict[str, object]:
    """The three metrics and their 95 % bootstrap intervals (referrals resampled)."""
    point = evaluate({"x": scores}, urgent)["x"]
    ids = list(scores)
    order = ranking(scores)
    position = {rid: pos for pos, rid in enumerate(order)}
    samples: dict[str, list[float]] = {m: [] for m in METRICS}
    for _ in range(BOOTSTRAP):
        drawn = rng.choices(ids, k=len(ids))
        drawn.sort(key=position.__getitem__)  # the ranking of the resample
        flags = [urgent[i] for i in drawn]
        total = sum(flags)
        if not total:
            continue
        for name, frac in (("urgent_top1", 0.01), ("urgent_top5", 0.05)):
            k = max(1, -(-len(drawn) * int(frac * 100) // 100))
            samples[name].append(sum(flags[:k]) / total)
        dcg = sum(1 / _log2(p + 2) for p, f in enumerate(flags[:100]) if f)
        ideal = sum(1 / _log2(p + 2) for p in range(min(100, total)))
        samples["ndcg100"].append(dcg / ideal)
    out: dict[str, object] = {m: round(point[m], 4) for m in METRICS}
    for m in METRICS:
        values = sorted(samples[m])
        n = len(values)
        out[f"{m}_ci95"] = [round(values[int(0.025 * n)], 3), round(values[int(0.975 * n) - 1], 3)]
    return out


def _log2(x: int) -> float:
    import math

    return math.log2(x)


def best_single_feature(run: Analysed, held_out: list[int]) -> dict[str, object]:
    """The best top-5 % share reached by ranking on one feature alone (either direction):
    how much a single field gives away (a check that the stream is no giveaway)."""
    vectors = {i: vector(run.facts[i], 0.0) for i in held_out}
    truth = {i: run.urgent[i] for i in held_out}
    best: tuple[float, str] = (0.0, "")
    for j, name in enumerate(FEATURES):
        if name != "rules_score":
            for sign in (1.0, -1.0):
                scores = {i: sign * v[j] for i, v in vectors.items()}
                best = max(best, (urgent_share_in_top(scores, truth, 0.05), name))
    return {"feature": best[1], "urgent_top5": round(best[0], 4)}


def logo_rules(runs: list[Analysed], held_out: str, folder: Path) -> RulesV1:
    """rules_v1 with weights fitted on every generator except ``held_out``."""
    facts, truth = [], []
    for run in runs:
        if run.name != held_out:
            facts += [run.facts[i] for i in sorted(run.facts)]
            truth += [run.urgent[i] for i in sorted(run.facts)]
    weights, _ = fit_weights(facts, truth)
    path = folder / f"logo-{held_out}.yaml"
    path.write_text(yaml.safe_dump({"default": weights}, sort_keys=False))
    return RulesV1(path)


def rank_all(run: Analysed, history: int, logo: RulesV1) -> dict[str, dict[int, float]]:
    """Each ranker's scores on the held-out referrals (ids after the first ``history``)."""
    ids = sorted(run.items)
    past, held_out = ids[:history], ids[history:]
    rules = RulesV1()
    rule_scores = {i: rules.score_facts(run.facts[i]).score for i in ids}
    rankings: dict[str, dict[int, float]] = {
        "arrival": {i: -float(i) for i in held_out},
        "rules_v1": {i: rule_scores[i] for i in held_out},
        "rules_v1_logo": {i: logo.score_facts(run.facts[i]).score for i in held_out},
    }
    for n in (200, 1000):
        decided = simulate_decisions(
            {i: rule_scores[i] for i in past}, {i: run.urgent[i] for i in past}, n, random.Random(n)
        )
        chosen = sorted(decided)
        blended = Blended.train([run.items[i] for i in chosen], [decided[i] for i in chosen], rules)
        rankings[f"learned_v1_{n}"] = {i: blended.score(run.items[i]).score for i in held_out}
    return rankings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=8_000, help="per generator")
    parser.add_argument("--history", type=float, default=0.35, help="share used as the past")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS))
    args = parser.parse_args()
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory(prefix="grace-triage-") as tmp:
        root = Path(tmp)
        runs = [analysed(root / g, g, args.referrals, args.seed) for g in args.generators]
        history = int(args.referrals * args.history)
        result: dict[str, object] = {"generators": {}}
        for run in runs:
            rankings = rank_all(run, history, logo_rules(runs, run.name, root))
            rng = random.Random(0)
            held = {i: run.urgent[i] for i in rankings["arrival"]}
            entry: dict[str, object] = {
                name: with_intervals(scores, held, rng) for name, scores in rankings.items()
            }
            entry |= {"held_out": len(held), "urgent_held_out": sum(held.values())}
            entry["best_single_feature"] = best_single_feature(run, sorted(held))
            result["generators"][run.name] = entry  # type: ignore[index]
            print(run.name, json.dumps(entry), file=sys.stderr)
        result |= routing_quality(runs)
    gens: dict[str, dict[str, dict[str, float]]] = result["generators"]  # type: ignore[assignment]
    result["rules_v1_logo_urgent_top5"] = {
        g: v["rules_v1_logo"]["urgent_top5"] for g, v in gens.items()
    }
    result |= {
        "seed": args.seed,
        "referrals_per_generator": args.referrals,
        "history": history,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
    }
    print("leave-one-generator-out rules_v1 urgent_top5:", result["rules_v1_logo_urgent_top5"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
