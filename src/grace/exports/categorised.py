"""Which media carry a category, and where it came from: a hash-set match or an analyst.

A bank's category is the partner's grading of known material; an analyst's category (sent
with a decision, kept in ``decisions.data``) is this unit's grading of one file, so the
latest analyst grading wins over a bank's. Analyst categories are read from
``data["media_categories"]`` (what the desk's decision API records: SHA-256 -> Project VIC
code) or ``data["categories"]``, in either of these shapes::

    {"<sha256>" | "<file id>": "1" | {"code": "1", "scheme": "projectvic-us"}}
    [{"sha256": ... | "file_id": ..., "category" | "code": "1", "scheme": ...}]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from grace.banks.categories import DEFAULT_SCHEME
from grace.store.intel_tables import Decision
from grace.store.media_tables import BankEntry as EntryRow
from grace.store.media_tables import HashBank, Media, MediaMatch
from grace.store.tables import Referral, ReferralFile

BANK_RANK = {"known": 0, "viral": 1, "suppression": 2}
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Graded:
    """A category for one media item (by content), and who gave it."""

    sha256: str
    scheme: str
    code: str
    source: str  # "bank:<name>" | "analyst"
    is_distributed: bool | None = None


def categorised_media(
    session: Session, scope: ColumnElement[bool] | None = None
) -> dict[str, Graded]:
    """sha256 -> category for every categorised media item of referrals in ``scope``."""
    graded = _from_banks(session, scope)
    graded.update(_from_decisions(session, scope))
    return graded


def _in_scope(scope: ColumnElement[bool] | None) -> Any:
    """The sha256 of files of referrals in scope (every file when no scope is given)."""
    query = select(ReferralFile.sha256).where(ReferralFile.sha256.is_not(None))
    if scope is not None:
        query = query.join(Referral, Referral.id == ReferralFile.referral_id).where(scope)
    return query


def _from_banks(session: Session, scope: ColumnElement[bool] | None) -> dict[str, Graded]:
    query = (
        select(Media.sha256, EntryRow.category_scheme, EntryRow.category_code, EntryRow.data)
        .add_columns(HashBank.name, HashBank.kind, Media.status)
        .join(MediaMatch, MediaMatch.media_id == Media.id)
        .join(EntryRow, EntryRow.id == MediaMatch.bank_entry_id)
        .join(HashBank, HashBank.id == EntryRow.bank_id)
        .where(EntryRow.category_code.is_not(None), MediaMatch.suppressed.is_(False))
        .where(Media.sha256.in_(_in_scope(scope)))
        .order_by(Media.sha256, EntryRow.id)
    )
    best: dict[str, tuple[int, Graded]] = {}
    for sha, scheme, code, data, bank, kind, status in session.execute(query):
        distributed = (data or {}).get("is_distributed")
        if distributed is None and status == "viral":
            distributed = True
        rank = BANK_RANK.get(kind, 9)
        if sha not in best or rank < best[sha][0]:
            graded = Graded(sha, scheme or DEFAULT_SCHEME, code, f"bank:{bank}", distributed)
            best[sha] = (rank, graded)
    return {sha: graded for sha, (_, graded) in best.items()}


def _from_decisions(session: Session, scope: ColumnElement[bool] | None) -> dict[str, Graded]:
    query = select(Decision.referral_id, Decision.data).order_by(Decision.id)
    if scope is not None:
        query = query.join(Referral, Referral.id == Decision.referral_id).where(scope)
    found: dict[str, Graded] = {}
    files: dict[int, dict[str, str]] = {}
    for referral_id, data in session.execute(query):
        raw = (data or {}).get("media_categories") or (data or {}).get("categories")
        for key, code, scheme in _analyst_items(raw):
            sha = key if _SHA256.fullmatch(key) else _file_sha(session, files, referral_id, key)
            if sha:
                found[sha] = Graded(sha, scheme or DEFAULT_SCHEME, code, "analyst")
    return found


def _analyst_items(raw: object) -> list[tuple[str, str, str | None]]:
    """(sha256 or file id, code, scheme) from either accepted shape; anything else ignored."""
    items: list[tuple[object, object]] = []
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                key = item.get("sha256") or item.get("file_id")
                items.append((key, {**item, "code": item.get("code", item.get("category"))}))
    out = []
    for key, value in items:
        spec = value if isinstance(value, dict) else {"code": value}
        code, scheme = spec.get("code"), spec.get("scheme")
        if key is not None and code not in (None, ""):
            out.append((str(key).lower(), str(code), str(scheme) if scheme else None))
    return out


def _file_sha(
    session: Session, cache: dict[int, dict[str, str]], referral_id: int, file_id: str
) -> str | None:
    if referral_id not in cache:
        rows = session.execute(
            select(ReferralFile.id, ReferralFile.sha256).where(
                ReferralFile.referral_id == referral_id, ReferralFile.sha256.is_not(None)
            )
        )
        cache[referral_id] = {str(fid): sha for fid, sha in rows if sha}
    return cache[referral_id].get(file_id)
