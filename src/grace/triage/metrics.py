"""How good a ranking is for a triage unit, and how analysts' decisions arise from one.

The question a unit asks is "if we work the top of the queue, how many of the urgent
referrals do we reach?", so the main metric is the share of all urgent referrals found in
the top 1 % / 5 % (``urgent_share_in_top``), with nDCG@100 (binary relevance) for the
order at the very top. Equal scores are broken by referral id (arrival order: earlier
first), so every metric is deterministic. Pure Python, for benches and tests.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from grace.triage.learned import LABELS


def ranking(scores: Mapping[int, float]) -> list[int]:
    """Referral ids, highest score first; ties by id (earlier arrival first)."""
    return sorted(scores, key=lambda rid: (-scores[rid], rid))


def urgent_share_in_top(
    scores: Mapping[int, float], truth: Mapping[int, bool], fraction: float
) -> float:
    """Share of the urgent referrals that the top ``fraction`` of the queue holds.

    The top holds ``ceil(fraction * n)`` referrals (at least one); 0.0 without urgent ones.
    """
    urgent = sum(bool(truth.get(rid, False)) for rid in scores)
    if not scores or urgent == 0:
        return 0.0
    k = max(1, math.ceil(fraction * len(scores)))
    return sum(bool(truth.get(rid, False)) for rid in ranking(scores)[:k]) / urgent


def ndcg_at_k(scores: Mapping[int, float], truth: Mapping[int, bool], k: int = 100) -> float:
    """nDCG@k with relevance 1 for urgent, 0 otherwise; 0.0 without urgent referrals."""
    ideal_hits = min(k, sum(bool(truth.get(rid, False)) for rid in scores))
    if ideal_hits == 0:
        return 0.0
    dcg = sum(
        1.0 / math.log2(pos + 2)
        for pos, rid in enumerate(ranking(scores)[:k])
        if truth.get(rid, False)
    )
    idcg = sum(1.0 / math.log2(pos + 2) for pos in range(ideal_hits))
    return dcg / idcg


def evaluate(
    rankings: Mapping[str, Mapping[int, float]], truth: Mapping[int, bool]
) -> dict[str, dict[str, float]]:
    """``urgent_top1``, ``urgent_top5`` and ``ndcg100`` for each named ranker's scores."""
    return {
        name: {
            "urgent_top1": urgent_share_in_top(scores, truth, 0.01),
            "urgent_top5": urgent_share_in_top(scores, truth, 0.05),
            "ndcg100": ndcg_at_k(scores, truth, 100),
        }
        for name, scores in sorted(rankings.items())
    }


def simulate_decisions(
    scores: Mapping[int, float],
    truth: Mapping[int, bool],
    n: int,
    rng: random.Random,
    *,
    explore: float = 0.2,
    noise: float = 0.05,
    actionable: float = 0.3,
) -> dict[int, str]:
    """Labels for ``n`` referrals as analysts working the current queue would give them.

    Analysts take the queue top-down (``1 - explore`` of the decisions) and also pick some
    referrals at random (``explore``: spot checks, phone calls, other units' requests).
    Truly urgent referrals are labelled ``urgent``; the rest ``actionable`` with probability
    ``actionable``, else ``not_actionable``; then a ``noise`` share of labels is wrong
    (replaced by one of the other two labels).
    """
    queue = ranking(scores)
    n = min(n, len(queue))
    top = queue[: n - round(n * explore)]
    rest = queue[len(top) :]
    picked = top + rng.sample(rest, n - len(top))
    labels: dict[int, str] = {}
    for rid in picked:
        if truth.get(rid, False):
            label = "urgent"
        else:
            label = "actionable" if rng.random() < actionable else "not_actionable"
        if rng.random() < noise:
            label = rng.choice([x for x in LABELS if x != label])
        labels[rid] = label
    return labels
