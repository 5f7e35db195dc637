"""The parts of a referral's detail view, one query each (``grace.referrals`` assembles them).

Each returns plain JSON-ready data so the CLI, pages, exports and API share one shape.
"""

from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.intel.geo import ENV_MMDB, IpGeolocator
from grace.store import tables as t
from grace.store.intel_tables import Decision, IdentifierRow, ScoreRow, TriageRun
from grace.store.media_tables import BankEntry, BankEntryHold, HashBank, Media, MediaMatch


def priority_explanation(session: Session, referral_id: int) -> dict[str, Any] | None:
    """The latest score and every factor's contribution, strongest first."""
    latest = session.execute(
        select(ScoreRow.score, ScoreRow.factors, TriageRun.scorer, TriageRun.version)
        .join(TriageRun, TriageRun.id == ScoreRow.run_id)
        .where(ScoreRow.referral_id == referral_id)
        .order_by(ScoreRow.run_id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    factors = sorted(latest[1] or [], key=lambda f: -abs(float(f.get("contribution") or 0)))
    return {"score": latest[0], "factors": factors, "scorer": latest[2], "version": latest[3]}


def parties(session: Session, referral_id: int) -> list[dict[str, Any]]:
    """Reported people and accounts (and reporters, victims...) with their identifiers."""
    rows = session.scalars(
        select(t.Party).where(t.Party.referral_id == referral_id).order_by(t.Party.id)
    )
    return [
        {
            "id": p.id,
            "role": p.role,
            "esp_service": p.esp_service,
            "esp_user_id": p.esp_user_id,
            "screen_name": p.screen_name,
            "display_name": p.display_name,
            "country_code": p.country_code,
            "emails": list((p.data or {}).get("emails") or []),
            "phones": list((p.data or {}).get("phones") or []),
        }
        for p in rows
    ]


def identifiers(session: Session, referral_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(IdentifierRow)
        .where(IdentifierRow.referral_id == referral_id)
        .order_by(IdentifierRow.kind, IdentifierRow.value)
    )
    return [{"kind": i.kind, "value": i.value, "role": i.role, "source": i.source} for i in rows]


@lru_cache(maxsize=1)
def _geolocator() -> IpGeolocator:
    """One per process: its lookup cache then serves every request."""
    return IpGeolocator(os.environ.get(ENV_MMDB) or None, use_env=False)


def ip_events(session: Session, referral_id: int) -> list[dict[str, Any]]:
    """IP events with the country each address maps to (MMDB if configured, else RIR data)."""
    rows = session.scalars(
        select(t.IpEvent).where(t.IpEvent.referral_id == referral_id).order_by(t.IpEvent.id)
    )
    geo = _geolocator()
    return [
        {
            "country": geo.country(e.ip)[0],
            "ip": e.ip,
            "port": e.port,
            "event": e.event,
            "at": e.at,
            "party_id": e.party_id,
            "possible_proxy": e.possible_proxy,
        }
        for e in rows
    ]


def decisions(session: Session, referral_id: int) -> list[dict[str, Any]]:
    """Decisions on the referral, newest first."""
    rows = session.scalars(
        select(Decision).where(Decision.referral_id == referral_id).order_by(Decision.id.desc())
    )
    return [
        {
            "id": d.id,
            "label": d.label,
            "actor": d.actor,
            "at": d.at.isoformat(),
            "notes": d.notes,
            "media_categories": dict((d.data or {}).get("media_categories") or {}),
        }
        for d in rows
    ]


def files_with_media(
    session: Session, referral_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The referral's files with media status and hash-set matches, and the duplicate
    groups (same group id) they belong to with the other referrals sharing each group."""
    rows = session.execute(
        select(t.ReferralFile, Media)
        .outerjoin(Media, Media.sha256 == t.ReferralFile.sha256)
        .where(t.ReferralFile.referral_id == referral_id)
        .order_by(t.ReferralFile.id)
    ).all()
    media_ids = [m.id for _f, m in rows if m is not None]
    matches = _bank_matches(session, media_ids)
    files = [
        {
            "id": f.id,
            "name": f.name,
            "original_name": f.original_name,
            "sha256": f.sha256,
            "viewed_by_esp": f.viewed_by_esp,
            "industry_classification": f.industry_classification,
            "annotations": f.annotations,
            "declared_hash_ok": f.declared_hash_ok,
            "media_status": f.media_status,
            "kind": m.kind if m else None,
            "group_id": m.group_id if m else None,
            "matches": matches.get(m.id, []) if m else [],
        }
        for f, m in rows
    ]
    group_ids = sorted({m.group_id for _f, m in rows if m is not None and m.group_id is not None})
    return files, _groups(session, group_ids, referral_id)


def _bank_matches(session: Session, media_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not media_ids:
        return {}
    rows = session.execute(
        select(MediaMatch, BankEntry.category_scheme, BankEntry.category_code, HashBank)
        .join(BankEntry, BankEntry.id == MediaMatch.bank_entry_id)
        .join(HashBank, HashBank.id == BankEntry.bank_id)
        .where(MediaMatch.media_id.in_(media_ids))
        .order_by(MediaMatch.id)
    ).all()
    hold_ids = {m.hold_id for m, *_ in rows if m.hold_id is not None}
    holds = {
        h.id: h
        for h in (
            session.scalars(select(BankEntryHold).where(BankEntryHold.id.in_(hold_ids)))
            if hold_ids
            else []
        )
    }
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for match, scheme, code, bank in rows:
        found[match.media_id].append(
            {
                "bank": bank.name,
                "bank_kind": bank.kind,
                "category_scheme": scheme,
                "category": code,
                "method": match.method,
                "distance": match.distance,
                "suppressed": match.suppressed,
                "held": holds[match.hold_id].detail if match.hold_id in holds else None,
            }
        )
    return found


def _groups(session: Session, group_ids: list[int], referral_id: int) -> list[dict[str, Any]]:
    if not group_ids:
        return []
    rows = session.execute(
        select(Media.group_id, Media.sha256, t.ReferralFile.referral_id)
        .join(t.ReferralFile, t.ReferralFile.sha256 == Media.sha256)
        .where(Media.group_id.in_(group_ids))
    ).all()
    members: dict[int, set[str]] = defaultdict(set)
    referrals: dict[int, set[int]] = defaultdict(set)
    for group_id, sha, other in rows:
        if group_id is None:
            continue
        members[group_id].add(sha)
        if other != referral_id:
            referrals[group_id].add(other)
    return [
        {
            "group_id": g,
            "items": sorted(members[g]),
            "other_referrals": sorted(referrals[g])[:100],
        }
        for g in group_ids
    ]
