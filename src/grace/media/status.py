"""What each referral file is, for triage: known, viral, a duplicate, a near duplicate, new.

Status is relative to time: material first seen in referral 10 is *new* there and a
*duplicate* in referral 11. Referrals are therefore judged against earlier referrals only
(by id, which follows arrival), and a hit in a bank outranks everything: a suppression
bank (known benign) never alerts, a known bank hides the item from analysts, a viral bank
lowers priority. ESP annotations (viral, potential meme) count as viral when no bank spoke.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.store.media_tables import BankEntry as EntryRow
from grace.store.media_tables import HashBank, Media, MediaMatch
from grace.store.tables import Referral, ReferralFile

BANK_ORDER = ("suppression", "known", "viral")
BANK_STATUS = {"suppression": "suppressed", "known": "known", "viral": "viral"}
VIRAL_ANNOTATIONS = {"viral", "potentialMeme"}
STATUSES = (
    "known",
    "viral",
    "suppressed",
    "duplicate",
    "near_duplicate",
    "new",
    "unreadable",
    "missing",
)


def refresh_statuses(session: Session, media_ids: list[int]) -> int:
    """Recompute file statuses and counts of every referral holding one of ``media_ids``."""
    if not media_ids:
        return 0
    shas = select(Media.sha256).where(Media.id.in_(media_ids))
    referral_ids = sorted(
        session.scalars(
            select(ReferralFile.referral_id).where(ReferralFile.sha256.in_(shas)).distinct()
        )
    )
    return refresh_referrals(session, referral_ids)


def unfinished_referrals(session: Session) -> list[int]:
    """Referrals with a file left without status although nothing it waits for is pending.

    A file waits only for its own item's matching: a file with no vault object, or whose
    item is matched (``matched_at`` set), should already have a status. Such files are left
    by a crash between ingest and media processing, or by a later referral that brought an
    item already matched; a re-run gives them theirs.
    """
    matched = select(Media.sha256).where(Media.matched_at.is_not(None))
    return sorted(
        session.scalars(
            select(ReferralFile.referral_id)
            .where(
                ReferralFile.media_status.is_(None),
                ReferralFile.sha256.is_(None) | ReferralFile.sha256.in_(matched),
            )
            .distinct()
        )
    )


def refresh_referrals(session: Session, referral_ids: list[int]) -> int:
    """Recompute the file statuses and counts of these referrals."""
    if not referral_ids:
        return 0
    files = list(
        session.scalars(select(ReferralFile).where(ReferralFile.referral_id.in_(referral_ids)))
    )
    media = _media_by_sha(session, {f.sha256 for f in files if f.sha256})
    bank_kinds = _bank_kinds(session, [m.id for m in media.values()])
    neighbours = _neighbours(session, [m.id for m in media.values()])
    first_seen = _first_referral(
        session,
        {f.sha256 for f in files if f.sha256} | {sha for ids in neighbours.values() for sha in ids},
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for f in files:
        item = media.get(f.sha256 or "")
        if f.sha256 is not None and (item is None or item.matched_at is None):
            f.media_status = None  # not matched yet: no status until it is (the desk withholds)
            continue
        f.media_status = _status(f, item, bank_kinds, neighbours, first_seen)
        counts[f.referral_id][f.media_status] += 1
    for item in media.values():
        kinds = bank_kinds.get(item.id, set())
        item.status = next((BANK_STATUS[k] for k in BANK_ORDER if k in kinds), None)
    for referral in session.scalars(select(Referral).where(Referral.id.in_(referral_ids))):
        referral.media_counts = {s: counts[referral.id].get(s, 0) for s in STATUSES}
    return len(referral_ids)


def _status(
    f: ReferralFile,
    item: Media | None,
    bank_kinds: dict[int, set[str]],
    neighbours: dict[int, set[str]],
    first_seen: dict[str, int],
) -> str:
    if f.sha256 is None or item is None:
        return "missing"
    kinds = bank_kinds.get(item.id, set())
    for kind in BANK_ORDER:
        if kind in kinds:
            return BANK_STATUS[kind]
    if first_seen.get(f.sha256, f.referral_id) < f.referral_id:
        return "duplicate"
    if any(
        first_seen.get(sha, f.referral_id) < f.referral_id for sha in neighbours.get(item.id, ())
    ):
        return "near_duplicate"
    if VIRAL_ANNOTATIONS & set(f.annotations or []):
        return "viral"
    return "unreadable" if item.error and not item.pdq else "new"


def _media_by_sha(session: Session, shas: set[str]) -> dict[str, Media]:
    return {m.sha256: m for m in session.scalars(select(Media).where(Media.sha256.in_(shas)))}


def _bank_kinds(session: Session, media_ids: list[int]) -> dict[int, set[str]]:
    rows = session.execute(
        select(MediaMatch.media_id, HashBank.kind)
        .join(EntryRow, EntryRow.id == MediaMatch.bank_entry_id)
        .join(HashBank, HashBank.id == EntryRow.bank_id)
        .where(MediaMatch.media_id.in_(media_ids), MediaMatch.hold_id.is_(None))
    )  # a match kept under a hold (disputed or flooding entry) gives no status
    kinds: dict[int, set[str]] = defaultdict(set)
    for media_id, kind in rows:
        kinds[media_id].add(kind)
    return kinds


def _neighbours(session: Session, media_ids: list[int]) -> dict[int, set[str]]:
    """The sha256 of every media item each item near-matched (in either direction)."""
    pairs = session.execute(
        select(MediaMatch.media_id, MediaMatch.other_media_id).where(
            MediaMatch.other_media_id.is_not(None),
            MediaMatch.media_id.in_(media_ids) | MediaMatch.other_media_id.in_(media_ids),
        )
    ).all()
    ids = {i for pair in pairs for i in pair if i is not None}
    sha = dict(session.execute(select(Media.id, Media.sha256).where(Media.id.in_(ids))).all())
    found: dict[int, set[str]] = defaultdict(set)
    for a, b in pairs:
        if b is None:
            continue
        found[a].add(sha[b])
        found[b].add(sha[a])
    return found


def _first_referral(session: Session, shas: set[str]) -> dict[str, int]:
    rows = session.execute(
        select(ReferralFile.sha256, func.min(ReferralFile.referral_id))
        .where(ReferralFile.sha256.in_(shas))
        .group_by(ReferralFile.sha256)
    )
    return {sha: first for sha, first in rows if sha is not None}


def media_status_totals(session: Session) -> dict[str, int]:
    """Referral files by status across the workspace (for summaries and the dashboard)."""
    rows = session.execute(
        select(ReferralFile.media_status, func.count()).group_by(ReferralFile.media_status)
    )
    found = {status or "unprocessed": n for status, n in rows}
    return {s: found.get(s, 0) for s in (*STATUSES, "unprocessed") if found.get(s)}
