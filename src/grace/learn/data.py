"""Training data from the workspace's own labels: what a local model may learn from.

Two tasks:

* ``referral_priority``: one row per decided referral, labelled ``urgent`` or ``other``
  from the analyst's latest decision (``needs_information`` says nothing about priority
  and is left out), features the triage facts (``grace.triage.features.vector``), the same
  numbers rules_v1 and learned_v1 see, so explanations stay comparable. Urgent-vs-rest, as
  learned_v1 argues: the actionable / not-actionable line depends on local law and
  capacity more than on the referral, and measured here a 3-class head spent its few
  examples on that line: one shared temperature then flattened every class to 1/3,
  urgent included (held-out log loss ln 3). The decisions' own counts are kept in the
  training summary (``sources``).
* ``media_category``: one row per media item with an image embedding (the signals layer's
  open_nsfw pooled vector) and a category: an analyst's per-item category from a decision
  first (they looked), else the category of a hash-set entry it matched.

Labels are ``scheme:code`` strings (e.g. ``projectvic-us:1``) so that codes of different
schemes never merge. Nothing here reads media bytes: only stored labels and vectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.intel_tables import Decision
from grace.store.media_tables import BankEntry, Media, MediaMatch
from grace.store.tables import Referral
from grace.triage.features import FEATURES, facts, vector
from grace.triage.inputs import triage_inputs
from grace.triage.rules import RulesV1

PRIORITY_LABELS = ("urgent", "actionable", "not_actionable")
Embeddings = Callable[[Session], tuple[list[str], np.ndarray]]


@dataclass
class Dataset:
    """Labelled rows of one task, with what a registry entry should say about them."""

    task: str
    ids: list[str]
    x: np.ndarray
    labels: list[str]
    features: list[str]
    agencies: list[str | None]
    dates: list[datetime | None]
    sources: Counter[str]

    def summary(self) -> dict[str, Any]:
        """Counts per label, date range, agencies: stored with the model version."""
        days = sorted(d for d in self.dates if d is not None)
        return {
            "rows": len(self.ids),
            "counts": dict(sorted(Counter(self.labels).items())),
            "from": days[0].isoformat() if days else None,
            "to": days[-1].isoformat() if days else None,
            "agencies": sorted({a for a in self.agencies if a}),
            "sources": dict(sorted(self.sources.items())),
        }

    def subset(self, index: np.ndarray) -> Dataset:
        pick = index.tolist()
        return Dataset(
            self.task,
            [self.ids[i] for i in pick],
            self.x[index],
            [self.labels[i] for i in pick],
            self.features,
            [self.agencies[i] for i in pick],
            [self.dates[i] for i in pick],
            self.sources,
        )


def latest_decisions(session: Session) -> dict[int, Decision]:
    """The latest decision per referral (a later decision corrects an earlier one)."""
    latest: dict[int, Decision] = {}
    for row in session.scalars(select(Decision).order_by(Decision.id)):
        latest[row.referral_id] = row
    return latest


def referral_vectors(
    session: Session, now: datetime, ids: list[int]
) -> dict[int, tuple[list[float], str | None]]:
    """Referral id -> (triage feature vector, agency), as the scorers see them at ``now``."""
    rules = RulesV1()
    out: dict[int, tuple[list[float], str | None]] = {}
    for item in triage_inputs(session, now, sorted(ids)):
        f = facts(item)
        out[int(item.referral_id or 0)] = (vector(f, rules.score_facts(f).score), item.agency)
    return out


def referral_priority(session: Session, now: datetime) -> Dataset:
    """Decided referrals with their triage features (see module doc)."""
    decided = {r: d for r, d in latest_decisions(session).items() if d.label in PRIORITY_LABELS}
    vectors = referral_vectors(session, now, list(decided))
    ids = sorted(vectors)
    x = np.array([vectors[r][0] for r in ids], dtype=np.float64).reshape(len(ids), len(FEATURES))
    return Dataset(
        "referral_priority",
        [str(r) for r in ids],
        x,
        ["urgent" if decided[r].label == "urgent" else "other" for r in ids],
        list(FEATURES),
        [vectors[r][1] for r in ids],
        [decided[r].at for r in ids],
        Counter(f"decision:{decided[r].label}" for r in ids),
    )


def image_embeddings(session: Session) -> tuple[list[str], np.ndarray]:
    """The signals layer's image embeddings (imported late: it loads ONNX runtimes)."""
    from grace.signals.store import load_embeddings

    return load_embeddings(session, "image")


def media_labels(session: Session) -> dict[str, tuple[str, str, datetime | None, str | None]]:
    """sha256 -> (label, source, date, agency): analysts' categories over hash-set ones."""
    out: dict[str, tuple[str, str, datetime | None, str | None]] = {}
    rows = session.execute(
        select(Media.sha256, BankEntry.category_scheme, BankEntry.category_code)
        .join(MediaMatch, MediaMatch.media_id == Media.id)
        .join(BankEntry, BankEntry.id == MediaMatch.bank_entry_id)
        .where(BankEntry.category_code.is_not(None), MediaMatch.suppressed.is_(False))
        .order_by(MediaMatch.id)
    ).all()
    for sha, scheme, code in rows:
        out[sha] = (f"{scheme or 'unknown'}:{code}", "hashset", None, None)
    agencies: dict[int, str | None] = {
        rid: agency for rid, agency in session.execute(select(Referral.id, Referral.agency))
    }
    for referral_id, decision in latest_decisions(session).items():
        data = decision.data or {}
        scheme = str(data.get("scheme") or "projectvic-us")
        for sha, code in (data.get("media_categories") or {}).items():
            if code:
                out[sha] = (f"{scheme}:{code}", "analyst", decision.at, agencies.get(referral_id))
    return out


def media_category(session: Session, embeddings: Embeddings | None = None) -> Dataset:
    """Media items that have both an embedding and a category (see module doc)."""
    ids, matrix = (embeddings or image_embeddings)(session)
    labels = media_labels(session)
    keep = [i for i, sha in enumerate(ids) if sha in labels]
    chosen = [labels[ids[i]] for i in keep]
    dim = matrix.shape[1] if matrix.ndim == 2 else 0
    return Dataset(
        "media_category",
        [ids[i] for i in keep],
        np.asarray(matrix, dtype=np.float64)[keep].reshape(len(keep), dim),
        [c[0] for c in chosen],
        [f"embedding:{j}" for j in range(dim)],
        [c[3] for c in chosen],
        [c[2] for c in chosen],
        Counter(c[1] for c in chosen),
    )
