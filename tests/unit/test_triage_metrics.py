"""Ranking metrics on hand-checked examples; decision simulation follows the queue."""

from __future__ import annotations

import math
import random

import pytest

from grace.triage.metrics import (
    evaluate,
    ndcg_at_k,
    ranking,
    simulate_decisions,
    urgent_share_in_top,
)

SCORES = {1: 0.9, 2: 0.5, 3: 0.5, 4: 0.1, 5: 0.7, 6: 0.0, 7: 0.2, 8: 0.3, 9: 0.4, 10: 0.6}
TRUTH = {3: True, 4: True}


def test_ranking_breaks_ties_by_arrival() -> None:
    assert ranking(SCORES)[:5] == [1, 5, 10, 2, 3]
    assert ranking({5: 1.0, 2: 1.0, 9: 1.0}) == [2, 5, 9]


def test_urgent_share_in_top() -> None:
    assert urgent_share_in_top(SCORES, TRUTH, 0.5) == 0.5  # top 5 holds 3, not 4
    assert urgent_share_in_top(SCORES, TRUTH, 0.9) == 1.0
    assert urgent_share_in_top(SCORES, TRUTH, 0.01) == 0.0  # top 1 (at least one)
    assert urgent_share_in_top(SCORES, {}, 0.5) == 0.0


def test_ndcg() -> None:
    # urgent at positions 5 and 9 (1-based); ideal at 1 and 2
    dcg = 1 / math.log2(6) + 1 / math.log2(10)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(SCORES, TRUTH, 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(SCORES, TRUTH, 5) == pytest.approx((1 / math.log2(6)) / idcg)
    assert ndcg_at_k({1: 1.0, 2: 0.0}, {1: True}, 100) == 1.0
    assert ndcg_at_k(SCORES, {}, 10) == 0.0


def test_evaluate_names_every_ranker() -> None:
    out = evaluate({"b": SCORES, "a": {k: -v for k, v in SCORES.items()}}, TRUTH)
    assert list(out) == ["a", "b"]
    assert set(out["a"]) == {"urgent_top1", "urgent_top5", "ndcg100"}
    assert out["a"]["ndcg100"] > out["b"]["ndcg100"]


def test_simulated_analysts_work_the_queue() -> None:
    scores = {i: float(100 - i) for i in range(1, 101)}
    truth = {i: i % 10 == 0 for i in scores}
    labels = simulate_decisions(scores, truth, 20, random.Random(3), noise=0.0)
    assert len(labels) == 20
    assert set(range(1, 17)) <= set(labels)  # 80 % from the top of the queue
    assert all((lab == "urgent") == truth[i] for i, lab in labels.items())
    again = simulate_decisions(scores, truth, 20, random.Random(3), noise=0.0)
    assert again == labels
    noisy = simulate_decisions(scores, truth, 100, random.Random(3), noise=0.5)
    wrong = sum((lab == "urgent") != truth[i] for i, lab in noisy.items())
    assert 10 < wrong < 60
