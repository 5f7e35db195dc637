"""What the multilingual text signal adds to triage, on every bench stream.

Each generator's stream goes through grace's ingestors and intelligence stage
(``triage_run.py``); every referral's prose (``grace.signals.texts.text_pieces``) is
embedded as ``grace signals run`` stores it (USE multilingual v3: mean of the pieces'
unit vectors, re-normalised). As in ``bench/triage.py``, the first ``--history`` share is
the unit's past, where 1,000 analysts' decisions are simulated from the ``rules_v1``
queue (``simulate_decisions``: spot checks and 5 % wrong labels); the rest is held out.

Scores on the held-out referrals, none tuned on any stream (the floor 0.6 and the weight
10 are the packaged defaults of ``grace.signals``):

* ``rules_v1``: the packaged rules, the baseline of this run;
* ``rules_v1_similar``: rules_v1 plus the ``similar_urgent`` factor exactly as triage
  adds it (10 points x the cosine to the nearest referral decided urgent, from 0.6, where
  most of the 10 nearest decided referrals were urgent);
* ``similar_alone``: the nearest urgent cosine by itself;
* ``knn_text``: the similarity-weighted share of urgent decisions among the 10 nearest
  decided referrals (the text alone as a learned, non-parametric feature).

``--compare-minilm`` also runs ``similar_alone`` with the English-only MiniLM (slow).
The last line printed is one JSON object: per generator each score's ``urgent_top1``,
``urgent_top5``, ``ndcg100`` with 95 % bootstrap intervals, the embedding time per
referral, and the urgent_top5 gain of ``rules_v1_similar`` over ``rules_v1``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from grace.signals.models import ENGLISH_EMBEDDING, TEXT_EMBEDDING
from grace.signals.similar import neighbourhoods_of
from grace.signals.texts import text_pieces
from grace.triage.metrics import simulate_decisions
from grace.triage.rules import RulesV1

sys.path.insert(0, str(Path(__file__).parent))
from triage import with_intervals  # sibling bench scripts
from triage_run import GENERATORS, Analysed, analysed

WEIGHT = 10.0  # grace.signals.factors.DEFAULT_WEIGHTS["similar_urgent"]
DECISIONS = 1000


def embed(run: Analysed, model: object) -> tuple[dict[int, NDArray[np.float32]], float]:
    """Referral id -> text vector (as stored), and milliseconds of wall time per referral."""
    encode = model.encode  # type: ignore[attr-defined]
    out: dict[int, NDArray[np.float32]] = {}
    started = time.perf_counter()
    for rid, item in run.items.items():
        pieces = text_pieces(item.referral)
        if pieces:
            mean = encode(pieces).mean(axis=0)
            out[rid] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
    return out, round((time.perf_counter() - started) * 1000 / max(len(run.items), 1), 2)


def text_scores(
    vectors: dict[int, NDArray[np.float32]], decided: dict[int, str], held: list[int]
) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
    """Per held-out referral: nearest-urgent cosine, the k-NN urgent share, and the points
    the ``similar_urgent`` factor adds (grace.signals.similar's own code)."""
    past = [i for i in sorted(decided) if i in vectors]
    urgent = np.array([decided[i] == "urgent" for i in past], dtype=np.bool_)
    matrix = np.vstack([vectors[i] for i in past])
    queries = {i: vectors[i] for i in held if i in vectors}
    hoods = neighbourhoods_of(queries, past, urgent, matrix)
    bare = neighbourhoods_of(queries, past, urgent, matrix, k=1, floor=-1.0)
    nearest = {i: bare[i].neighbours[0].similarity if i in bare else 0.0 for i in held}
    share = {i: hoods[i].urgent_share if i in hoods else 0.0 for i in held}
    points = {
        i: WEIGHT * hoods[i].neighbours[0].similarity if i in hoods and hoods[i].notable else 0.0
        for i in held
    }
    return nearest, share, points


def evaluate_run(run: Analysed, history: float, minilm: bool) -> dict[str, object]:
    ids = sorted(run.items)
    cut = int(len(ids) * history)
    past, held = ids[:cut], ids[cut:]
    rules = RulesV1()
    rule_scores = {i: rules.score_facts(run.facts[i]).score for i in ids}
    decided = simulate_decisions(
        {i: rule_scores[i] for i in past},
        {i: run.urgent[i] for i in past},
        DECISIONS,
        random.Random(DECISIONS),
    )
    vectors, ms = embed(run, TEXT_EMBEDDING)
    nearest, knn, bonus = text_scores(vectors, decided, held)
    rankings = {
        "rules_v1": {i: rule_scores[i] for i in held},
        "rules_v1_similar": {i: rule_scores[i] + bonus[i] for i in held},
        "similar_alone": nearest,
        "knn_text": knn,
    }
    entry: dict[str, object] = {"embed_ms_per_referral": ms}
    if minilm:
        english, entry["minilm_embed_ms_per_referral"] = embed(run, ENGLISH_EMBEDDING)
        rankings["similar_alone_minilm"] = text_scores(english, decided, held)[0]
    truth = {i: run.urgent[i] for i in held}
    for name, scores in rankings.items():
        entry[name] = with_intervals(scores, truth, random.Random(0))
    entry["factor_fires_held_out"] = sum(1 for v in bonus.values() if v)
    entry["held_out"], entry["urgent_held_out"] = len(held), sum(truth.values())
    base = entry["rules_v1"]["urgent_top5"]  # type: ignore[index]
    entry["similar_gain_top5"] = round(entry["rules_v1_similar"]["urgent_top5"] - base, 4)  # type: ignore[index]
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=2_000, help="per generator")
    parser.add_argument("--history", type=float, default=0.35, help="share used as the past")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS))
    parser.add_argument("--compare-minilm", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    result: dict[str, object] = {"generators": {}}
    with tempfile.TemporaryDirectory(prefix="grace-text-") as tmp:
        for name in args.generators:
            run = analysed(Path(tmp) / name, name, args.referrals, args.seed)
            entry = evaluate_run(run, args.history, args.compare_minilm)
            result["generators"][name] = entry  # type: ignore[index]
            print(name, json.dumps(entry), file=sys.stderr)
    result |= {
        "seed": args.seed,
        "referrals_per_generator": args.referrals,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
