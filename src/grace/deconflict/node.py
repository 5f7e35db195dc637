"""An agency's side: which referrals are due, what they hold, and where notices land.

The node's settings (its name at the coordinator, the coordinator's URL and the OPRF public
key it pinned per epoch) live in ``deconflict.json`` in the workspace home. A referral goes
out under a random reference (``deconflict_refs``) that only this node can resolve; it is
synced once per epoch, with tokens that expire with the referral's retention.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.deconflict.canonical import media_items, strong_set
from grace.intel.identifiers import extract_identifiers
from grace.model.referral import Referral as ReferralModel
from grace.store.deconflict_tables import DeconflictNotice, DeconflictRef
from grace.store.tables import Referral, ReferralFile
from grace.workspace import Workspace

SETTINGS = "deconflict.json"
DEFAULT_RETENTION_DAYS = 730


class NodeSetupError(ValueError):
    """Deconfliction is not switched on here, or its settings are unusable."""


@dataclass
class NodeSettings:
    node: str
    url: str
    keys: dict[str, str]  # epoch -> pinned OPRF public key (hex)
    retention_days: int = DEFAULT_RETENTION_DAYS
    last_alert: int = 0
    second_url: str | None = None  # the second evaluator of a split key, if any
    second_keys: dict[str, str] = field(default_factory=dict)  # its epoch -> pinned key

    @classmethod
    def load(cls, home: Path) -> NodeSettings:
        try:
            data = json.loads((home / SETTINGS).read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError as exc:
            raise NodeSetupError("deconfliction is off: run `grace deconflict join URL`") from exc
        except (ValueError, TypeError) as exc:
            raise NodeSetupError(f"{home / SETTINGS} is not valid settings") from exc

    def save(self, home: Path) -> None:
        path = home / SETTINGS
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(self.__dict__, indent=2) + "\n", encoding="utf-8")
        temp.replace(path)


@dataclass(frozen=True)
class Item:
    referral_id: int
    ref: str
    kind: str
    value: str
    expires_at: datetime


def due_referrals(session: Session, epoch: int, limit: int | None = None) -> list[int]:
    """Referrals never synced, or synced in an older epoch, and not withdrawn."""
    query = (
        select(Referral.id)
        .outerjoin(DeconflictRef, DeconflictRef.referral_id == Referral.id)
        .where(DeconflictRef.withdrawn_at.is_(None))
        .where((DeconflictRef.synced_epoch.is_(None)) | (DeconflictRef.synced_epoch != epoch))
        .order_by(Referral.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


def items(session: Session, referral_ids: list[int], retention_days: int) -> Iterator[Item]:
    """Every strong identifier and new-media digest of these referrals, with references."""
    refs = ensure_refs(session, referral_ids)
    media: dict[int, list[str]] = {}
    for rid, digest in session.execute(
        select(ReferralFile.referral_id, ReferralFile.sha256).where(
            ReferralFile.referral_id.in_(referral_ids),
            ReferralFile.media_status == "new",
            ReferralFile.sha256.is_not(None),
        )
    ):
        media.setdefault(rid, []).append(str(digest))
    rows = session.execute(
        select(Referral.id, Referral.data, Referral.received_at).where(
            Referral.id.in_(referral_ids)
        )
    )
    for rid, data, received in rows:
        expires = _aware(received) + timedelta(days=retention_days)
        found = strong_set(extract_identifiers(ReferralModel.model_validate(data)))
        found |= set(media_items(media.get(rid, [])))
        for kind, value in sorted(found):
            yield Item(rid, refs[rid], kind, value, expires)


def ensure_refs(session: Session, referral_ids: list[int]) -> dict[int, str]:
    """The opaque reference of each referral, created (random, 96 bits) on first use."""
    known = dict(
        session.execute(
            select(DeconflictRef.referral_id, DeconflictRef.ref).where(
                DeconflictRef.referral_id.in_(referral_ids)
            )
        ).all()
    )
    for rid in referral_ids:
        if rid not in known:
            known[rid] = "DX-" + secrets.token_hex(12)
            session.add(DeconflictRef(referral_id=rid, ref=known[rid]))
    session.flush()
    return known


def mark_synced(session: Session, referral_ids: list[int], epoch: int) -> None:
    for row in session.scalars(
        select(DeconflictRef).where(DeconflictRef.referral_id.in_(referral_ids))
    ):
        row.synced_epoch = epoch


def store_notices(session: Session, alerts: list[dict[str, Any]]) -> int:
    """Coordinator alerts as notices on this node's own referral ids (unknown refs skipped)."""
    refs = [str(alert.get("ref")) for alert in alerts]
    by_ref = dict(
        session.execute(
            select(DeconflictRef.ref, DeconflictRef.referral_id).where(
                DeconflictRef.ref.in_(refs), DeconflictRef.withdrawn_at.is_(None)
            )
        ).all()
    )
    stored = 0
    now = datetime.now(UTC)
    for alert in alerts:
        rid = by_ref.get(str(alert.get("ref")))
        key = (str(alert.get("kind"))[:20], str(alert.get("other_node"))[:100],
               str(alert.get("other_ref"))[:64])  # fmt: skip
        if rid is None or _has_notice(session, rid, *key):
            continue
        session.add(DeconflictNotice(referral_id=rid, kind=key[0], other_node=key[1],
                                     other_ref=key[2], received_at=now))  # fmt: skip
        session.flush()
        stored += 1
    return stored


def _has_notice(session: Session, rid: int, kind: str, node: str, ref: str) -> bool:
    return (
        session.scalar(
            select(DeconflictNotice.id).where(
                DeconflictNotice.referral_id == rid,
                DeconflictNotice.kind == kind,
                DeconflictNotice.other_node == node,
                DeconflictNotice.other_ref == ref,
            )
        )
        is not None
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_items(workspace: Workspace) -> set[str]:
    """Every strong identifier this node holds, as ``kind:value`` (for overlap counts)."""
    with workspace.sessions() as session:
        ids = list(session.scalars(select(Referral.id).order_by(Referral.id)))
        found = {f"{i.kind}:{i.value}" for i in items(session, ids, DEFAULT_RETENTION_DAYS)}
        session.rollback()  # references created while reading are not needed here
    return found
