"""Referrals whose text reads like earlier referrals that analysts decided were urgent.

The text embedding is multilingual (``grace.signals.multilingual``), so a Polish chat
excerpt can be near an urgent referral written in German. The factor names the earlier
referral and the cosine similarity ("text similar to urgent referral 123 (0.87)"), so an
analyst can open both and judge; it says nothing about the referral by itself.

"Decided urgent" is a referral whose latest decision is ``urgent`` (a later re-decision
withdraws it) and, when ``as_of`` is given, that decision was made by then: reproducing a
past triage run sees only the decisions that run could have seen. A referral is never
compared with itself. Cosine similarity of unit vectors is a dot product; the candidate
set (urgent referrals of one agency) is small enough for an exact search in numpy.
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


def urgent_embeddings(
    session: Session, as_of: datetime | None = None
) -> tuple[list[int], NDArray[np.float32]]:
    """Referral ids whose latest decision (by ``as_of``) is urgent, with their text vectors."""
    decisions = select(Decision.referral_id, Decision.label, Decision.at, Decision.id)
    if as_of is not None:
        decisions = decisions.where(Decision.at <= as_of)
    ranked = decisions.add_columns(
        func.row_number()
        .over(partition_by=Decision.referral_id, order_by=(Decision.at.desc(), Decision.id.desc()))
        .label("rank")
    ).subquery()
    rows = session.execute(
        select(ReferralTextSignal.referral_id, ReferralTextSignal.embedding)
        .join(ranked, ranked.c.referral_id == ReferralTextSignal.referral_id)
        .where(
            ranked.c.rank == 1,
            ranked.c.label == "urgent",
            ReferralTextSignal.embedding.is_not(None),
            ReferralTextSignal.embedding_dim == TEXT_DIM,
        )
        .order_by(ReferralTextSignal.referral_id)
    )
    ids: list[int] = []
    vectors: list[NDArray[np.float32]] = []
    for referral_id, blob in rows:
        vector = from_bytes(blob, TEXT_DIM)
        if vector is not None:
            ids.append(int(referral_id))
            vectors.append(vector)
    if not vectors:
        return [], np.zeros((0, TEXT_DIM), dtype=np.float32)
    return ids, np.vstack(vectors)


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


def similar_urgent(
    session: Session,
    referral_ids: list[int],
    as_of: datetime | None = None,
    k: int = TOP_K,
    floor: float = SIMILAR_FLOOR,
) -> dict[int, list[Neighbour]]:
    """Per referral, the nearest earlier urgent referrals at or above ``floor`` (best first)."""
    if not referral_ids:
        return {}
    ids, matrix = urgent_embeddings(session, as_of)
    if not ids:
        return {}
    vectors = text_embeddings(session, referral_ids)
    if not vectors:
        return {}
    queries = list(vectors)
    scores = np.vstack([vectors[r] for r in queries]) @ matrix.T  # one matrix product
    urgent = np.array(ids)
    scores[np.array(queries)[:, None] == urgent[None, :]] = -np.inf  # never itself
    found: dict[int, list[Neighbour]] = {}
    for row, referral_id in enumerate(queries):
        top = np.argsort(-scores[row], kind="stable")[:k]
        near = [
            Neighbour(ids[j], round(float(scores[row, j]), 4))
            for j in top
            if scores[row, j] >= floor
        ]
        if near:
            found[referral_id] = near
    return found
