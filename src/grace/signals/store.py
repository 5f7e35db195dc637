"""Reading and writing stored signals: the interface the learning code builds on.

``load_embeddings`` gives the learning layer one float32 matrix per kind without it
knowing how rows are stored; ``media_signals`` gives triage and the desk the readable
facts (score, faces, youngest age) per media item. Both only read committed rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.signal_tables import MediaSignal, ReferralTextSignal

IMAGE_DIM = 1024
"""open_nsfw's pooled layer (ResNet-50-thin global average pool)."""
TEXT_DIM = 512
"""USE multilingual v3's sentence embedding (rows of the older 384-d MiniLM are skipped)."""
_DIMS = {"image": IMAGE_DIM, "text": TEXT_DIM}
_DTYPE = np.dtype("<f4")


def to_bytes(vector: NDArray[np.float32] | None) -> bytes | None:
    """A vector as the stored little-endian float32 bytes."""
    return None if vector is None else np.asarray(vector, dtype=_DTYPE).tobytes()


def from_bytes(data: bytes | None, dim: int | None = None) -> NDArray[np.float32] | None:
    """Stored bytes back to a float32 vector (checked against ``dim`` when given)."""
    if data is None:
        return None
    vector = np.frombuffer(data, dtype=_DTYPE).astype(np.float32)
    if dim is not None and vector.shape[0] != dim:
        raise ValueError(f"stored embedding has {vector.shape[0]} values, expected {dim}")
    return vector


def load_embeddings(
    session: Session, kind: Literal["image", "text"] | str
) -> tuple[list[str], NDArray[np.float32]]:
    """Ids and an (n, d) float32 matrix of every stored embedding of ``kind``.

    ``"image"``: open_nsfw pooled-layer vectors by media sha256; ``"text"``: sentence
    embeddings by referral id (as a string). Rows are L2-normalised and ordered by id;
    the result is ``([], (0, d))`` when there are none.
    """
    if kind not in _DIMS:
        raise ValueError(f"unknown embedding kind {kind!r}: expected 'image' or 'text'")
    dim = _DIMS[kind]
    rows: Iterable[tuple[Any, bytes | None]]
    if kind == "image":
        rows = session.execute(
            select(MediaSignal.sha256, MediaSignal.embedding)
            .where(MediaSignal.embedding.is_not(None), MediaSignal.embedding_dim == dim)
            .order_by(MediaSignal.sha256)
        )
    else:
        rows = session.execute(
            select(ReferralTextSignal.referral_id, ReferralTextSignal.embedding)
            .where(
                ReferralTextSignal.embedding.is_not(None),
                ReferralTextSignal.embedding_dim == dim,
            )
            .order_by(ReferralTextSignal.referral_id)
        )
    ids: list[str] = []
    vectors: list[NDArray[np.float32]] = []
    for key, blob in rows:
        vector = from_bytes(blob, dim)
        if vector is not None:
            ids.append(str(key))
            vectors.append(vector)
    if not vectors:
        return [], np.zeros((0, dim), dtype=np.float32)
    return ids, np.vstack(vectors).astype(np.float32, copy=False)


def signal_record(row: MediaSignal) -> dict[str, Any]:
    """A stored media row as JSON-ready facts (the embedding is left out: it is not a fact)."""
    return {
        "sha256": row.sha256,
        "kind": row.kind,
        "models": dict(row.models or {}),
        "nsfw_score": row.nsfw_score,
        "face_count": row.face_count,
        "faces": list(row.faces or []),
        "youngest_age": row.youngest_age,
        "youngest_age_sd": row.youngest_age_sd,
        "frames": row.frames,
        "embedding_model": row.embedding_model,
        "embedding_dim": row.embedding_dim,
        "error": row.error,
        "computed_at": row.computed_at.isoformat() if row.computed_at else None,
    }


def media_signals(session: Session, sha256s: list[str]) -> dict[str, dict[str, Any]]:
    """Stored facts per media sha256 (only those that have signals), see ``signal_record``."""
    if not sha256s:
        return {}
    rows = session.scalars(select(MediaSignal).where(MediaSignal.sha256.in_(set(sha256s))))
    return {row.sha256: signal_record(row) for row in rows}


def text_signals(session: Session, referral_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Stored language facts per referral id (the embedding is left out)."""
    if not referral_ids:
        return {}
    rows = session.scalars(
        select(ReferralTextSignal).where(ReferralTextSignal.referral_id.in_(set(referral_ids)))
    )
    return {
        row.referral_id: {
            "referral_id": row.referral_id,
            "language": row.language,
            "language_score": row.language_score,
            "chars": row.chars,
            "models": dict(row.models or {}),
            "embedding_model": row.embedding_model,
            "embedding_dim": row.embedding_dim,
        }
        for row in rows
    }
