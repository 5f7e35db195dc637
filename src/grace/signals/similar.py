"""Referrals whose text reads like earlier referrals that analysts decided were urgent.

The text embedding is multilingual (``grace.signals.multilingual``), so a Polish chat
excerpt can be near an urgent referral written in German. The factor names the earlier
referral and the cosine similarity ("text similar to urgent referral 123 (0.87)"), so an
analyst can open both and judge; it says nothing about the referral by itself. It is shown
only where most of the referral's ten nearest decided referrals (similarity-weighted) were
urgent: a provider's boilerplate is close to urgent and non-urgent referrals alike, and
closeness to one urgent referral then says nothing. ``text_urgency`` gives that urgent
share for every referral, as a dense feature for a learned scorer.

"Decided urgent" is a referral whose latest decision is ``urgent`` (a later re-decision
withdraws it) and, when ``as_of`` is given, that decision was made by then: reproducing a
past triage run sees only the decisions that run could have seen. A referral is never
compared with itself. Cosine similarity of unit vectors is a dot product; the candidate
set (the decided referrals of one workspace) is small enough for an exact search in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.signals.store import TEXT_DIM, from_bytes
from grace.store.intel_tables import Decision
from grace.store.signal_tables import ReferralTextSignal

SIMILAR_FLOOR = 0.6
"""Least cosine worth showing: paraphrases across languages score about 0.7-0.85 with
USE multilingual v3, unrelated benign texts under 0.25 (docs/signals.md)."""
TOP_K = 3
"""Urgent neighbours named in the factor."""
K_NEAREST = 10
"""Decided neighbours whose decisions are weighed (similarity-weighted vote)."""
MAJORITY = 0.5
"""Least similarity-weighted urgent share among them for the factor: templated text (the
same provider's boilerplate) is close to urgent and non-urgent referrals alike, and then
closeness alone says nothing."""


@dataclass(frozen=True)
class Neighbour:
    """An earlier urgent referral and how close its text is (cosine, -1 to 1)."""

    referral_id: int
    similarity: float


def nearest(
    vector: NDArray[np.float32],
    ids: list[int],
    matrix: NDArray[np.float32],
    k: int = TOP_K,
    floor: float = -1.0,
) -> list[Neighbour]:
    """The ``k`` rows of ``matrix`` most similar to ``vector`` at or above ``floor``."""
    if not ids:
        return []
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    order = np.argsort(-scores, kind="stable")[:k]
    return [Neighbour(ids[i], round(float(scores[i]), 4)) for i in order if scores[i] >= floor]


def decided_embeddings(
    session: Session, as_of: datetime | None = None
) -> tuple[list[int], NDArray[np.bool_], NDArray[np.float32]]:
    """Decided referrals with a text vector: ids, whether the latest decision (by ``as_of``)
    is urgent, and the (n, d) matrix of their vectors."""
    decisions = select(Decision.referral_id, Decision.label, Decision.at, Decision.id)
    if as_of is not None:
        decisions = decisions.where(Decision.at <= as_of)
    ranked = decisions.add_columns(
        func.row_number()
        .over(partition_by=Decision.referral_id, order_by=(Decision.at.desc(), Decision.id.desc()))
        .label("rank")
    ).subquery()
    rows = session.execute(
        select(ReferralTextSignal.referral_id, ranked.c.label, ReferralTextSignal.embedding)
        .join(ranked, ranked.c.referral_id == ReferralTextSignal.referral_id)
        .where(
            ranked.c.rank == 1,
            ReferralTextSignal.embedding.is_not(None),
            ReferralTextSignal.embedding_dim == TEXT_DIM,
        )
        .order_by(ReferralTextSignal.referral_id)
    )
    ids: list[int] = []
    urgent: list[bool] = []
    vectors: list[NDArray[np.float32]] = []
    for referral_id, label, blob in rows:
        vector = from_bytes(blob, TEXT_DIM)
        if vector is not None:
            ids.append(int(referral_id))
            urgent.append(label == "urgent")
            vectors.append(vector)
    matrix = np.vstack(vectors) if vectors else np.zeros((0, TEXT_DIM), dtype=np.float32)
    return ids, np.array(urgent, dtype=np.bool_), matrix


def text_embeddings(session: Session, referral_ids: list[int]) -> dict[int, NDArray[np.float32]]:
    """The stored text vector of each referral that has one."""
    rows = session.execute(
        select(ReferralTextSignal.referral_id, ReferralTextSignal.embedding).where(
            ReferralTextSignal.referral_id.in_(set(referral_ids)),
            ReferralTextSignal.embedding.is_not(None),
            ReferralTextSignal.embedding_dim == TEXT_DIM,
        )
    )
    found: dict[int, NDArray[np.float32]] = {}
    for referral_id, blob in rows:
        vector = from_bytes(blob, TEXT_DIM)
        if vector is not None:
            found[int(referral_id)] = vector
    return found


@dataclass(frozen=True)
class TextNeighbourhood:
    """What the decided referrals nearest to one referral's text were decided."""

    urgent_share: float  # similarity-weighted share of urgent among the K_NEAREST decided
    decided_near: int  # how many decided referrals that share is over
    neighbours: list[Neighbour]  # the nearest urgent ones at or above the floor, best first

    @property
    def notable(self) -> bool:
        """Close to an urgent referral, and most of its decided neighbours were urgent."""
        return bool(self.neighbours) and self.urgent_share >= MAJORITY


def neighbourhoods(
    session: Session,
    referral_ids: list[int],
    as_of: datetime | None = None,
    k: int = TOP_K,
    floor: float = SIMILAR_FLOOR,
) -> dict[int, TextNeighbourhood]:
    """Per referral with a text vector, its neighbourhood among decided referrals (by
    ``as_of``; never itself). Absent when nothing is decided yet."""
    if not referral_ids:
        return {}
    ids, urgent, matrix = decided_embeddings(session, as_of)
    return neighbourhoods_of(text_embeddings(session, referral_ids), ids, urgent, matrix, k, floor)


def neighbourhoods_of(
    vectors: dict[int, NDArray[np.float32]],
    ids: list[int],
    urgent: NDArray[np.bool_],
    matrix: NDArray[np.float32],
    k: int = TOP_K,
    floor: float = SIMILAR_FLOOR,
) -> dict[int, TextNeighbourhood]:
    """``neighbourhoods`` on vectors in memory (what the bench and the tests call)."""
    if not ids or not vectors:
        return {}
    queries = list(vectors)
    scores = np.vstack([vectors[r] for r in queries]) @ matrix.T  # one matrix product
    scores[np.array(queries)[:, None] == np.array(ids)[None, :]] = -np.inf  # never itself
    found: dict[int, TextNeighbourhood] = {}
    for row, referral_id in enumerate(queries):
        order = np.argsort(-scores[row], kind="stable")
        near = order[:K_NEAREST][np.isfinite(scores[row, order[:K_NEAREST]])]
        weights = np.clip(scores[row, near], 0.0, None)
        total = float(weights.sum())
        share = float((weights * urgent[near]).sum() / total) if total > 0 else 0.0
        best = order[urgent[order] & (scores[row, order] >= floor)][:k]
        found[referral_id] = TextNeighbourhood(
            round(share, 4),
            len(near),
            [Neighbour(ids[j], round(float(scores[row, j]), 4)) for j in best],
        )
    return found


def similar_urgent(
    session: Session,
    referral_ids: list[int],
    as_of: datetime | None = None,
    k: int = TOP_K,
    floor: float = SIMILAR_FLOOR,
) -> dict[int, list[Neighbour]]:
    """Per referral, the nearest earlier urgent referrals at or above ``floor`` (best
    first), only where most of its nearest decided referrals were urgent."""
    return {
        referral_id: hood.neighbours
        for referral_id, hood in neighbourhoods(session, referral_ids, as_of, k, floor).items()
        if hood.notable
    }


def text_urgency(
    session: Session, referral_ids: list[int], as_of: datetime | None = None
) -> dict[int, float]:
    """The urgent share of each referral's text neighbourhood: a dense feature for a
    learned scorer (every referral with a text vector, once anything is decided)."""
    hoods = neighbourhoods(session, referral_ids, as_of)
    return {referral_id: hood.urgent_share for referral_id, hood in hoods.items()}
