"""What the media wall shows for one referral, and what it must not show.

An item matched by a hash set that categorises it (any known bank, or any entry carrying a
category code) has already been graded by someone: showing it again exposes the analyst for
no investigative gain, so it is listed with a badge (category and bank) and never rendered.
An item not yet matched (not analysed, or a crashed run left it unmatched) is withheld the
same way until it is: nobody can yet say that it is not known material.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.banks.categories import resolve
from grace.signals.store import media_signals
from grace.store.media_tables import BankEntry, HashBank, Media, MediaMatch
from grace.store.tables import ReferralFile


@dataclass(frozen=True)
class Badge:
    """One hash-set hit as the wall names it: bank, its kind, and the category if graded."""

    bank: str
    bank_kind: str
    category: str | None
    label: str | None


@dataclass
class WallItem:
    """One file of a referral on the wall."""

    file_id: int
    sha256: str | None
    name: str
    status: str
    kind: str  # image | video | other | missing
    hidden: bool
    badges: list[Badge] = field(default_factory=list)
    unmatched: bool = False  # withheld because matching has not finished for it
    signals: str | None = None  # what the models saw, in words (see ``signal_summary``)

    @property
    def renderable(self) -> bool:
        """Whether a blurred thumbnail may be made at all."""
        return not self.hidden and self.sha256 is not None and self.kind in ("image", "video")


def wall_items(session: Session, referral_id: int) -> list[WallItem]:
    """Every file of the referral, in upload order, with its hash-set badges."""
    files = list(
        session.scalars(
            select(ReferralFile)
            .where(ReferralFile.referral_id == referral_id)
            .order_by(ReferralFile.id)
        )
    )
    shas = {f.sha256 for f in files if f.sha256}
    media = {m.sha256: m for m in session.scalars(select(Media).where(Media.sha256.in_(shas)))}
    badges = badges_by_media(session, [m.id for m in media.values()])
    signals = media_signals(session, sorted(shas))
    items = []
    for f in files:
        item = media.get(f.sha256 or "")
        found = badges.get(item.id, []) if item else []
        unmatched = f.sha256 is not None and not is_matched(item)
        items.append(
            WallItem(
                file_id=f.id,
                sha256=f.sha256,
                name=f.original_name or f.name or f"file {f.id}",
                status=f.media_status or "unprocessed",
                kind=item.kind if item else ("missing" if f.sha256 is None else "other"),
                hidden=unmatched or is_categorised(found) or f.media_status == "known",
                badges=found,
                unmatched=unmatched,
                signals=signal_summary(signals.get(f.sha256 or "")),
            )
        )
    return items


def signal_summary(record: dict[str, Any] | None) -> str | None:
    """The models' facts about an item in a few words, so an analyst can judge whether to
    reveal it at all; estimates keep their uncertainty and are never phrased as verdicts."""
    if not record or record.get("error"):
        return None
    parts = []
    if record.get("nsfw_score") is not None:
        parts.append(f"explicit-content score {record['nsfw_score']:.2f}")
    faces = record.get("face_count")
    if faces == 0:
        parts.append("no face found")
    elif faces:
        age, sd = record.get("youngest_age"), record.get("youngest_age_sd")
        youngest = f", youngest ~{age:.0f} ± {sd or 0:.0f} y" if age is not None else ""
        parts.append(f"{faces} face{'s' * (faces != 1)}{youngest}")
    return " · ".join(parts) or None


def is_matched(item: Media | None) -> bool:
    """Whether matching finished for the item (only then can it be shown at all)."""
    return item is not None and item.matched_at is not None


def is_categorised(badges: list[Badge]) -> bool:
    return any(b.bank_kind == "known" or b.category is not None for b in badges)


def badges_by_media(session: Session, media_ids: list[int]) -> dict[int, list[Badge]]:
    """Hash-set hits per media id (one badge per bank and category)."""
    rows = session.execute(
        select(
            MediaMatch.media_id,
            HashBank.name,
            HashBank.kind,
            BankEntry.category_scheme,
            BankEntry.category_code,
        )
        .join(BankEntry, BankEntry.id == MediaMatch.bank_entry_id)
        .join(HashBank, HashBank.id == BankEntry.bank_id)
        .where(MediaMatch.media_id.in_(media_ids))
        .order_by(MediaMatch.id)
    ).all()
    found: dict[int, list[Badge]] = defaultdict(list)
    for media_id, bank, kind, scheme, code in rows:
        label = resolve(scheme, code)[0].label if scheme and code else None
        badge = Badge(bank=bank, bank_kind=kind, category=code, label=label)
        if badge not in found[media_id]:
            found[media_id].append(badge)
    return dict(found)


def hidden_shas(session: Session, shas: list[str]) -> set[str]:
    """Which of these items the wall hides (for endpoints asked about one item directly):
    the categorised ones, and any not yet matched (unknown status is withheld, not shown)."""
    found = session.execute(
        select(Media.sha256, Media.id, Media.matched_at).where(Media.sha256.in_(shas))
    ).all()
    media = {sha: media_id for sha, media_id, matched in found if matched is not None}
    unmatched = set(shas) - set(media)
    badges = badges_by_media(session, list(media.values()))
    known: set[str] = {
        sha
        for sha in session.scalars(
            select(ReferralFile.sha256).where(
                ReferralFile.sha256.in_(shas), ReferralFile.media_status == "known"
            )
        )
        if sha
    }
    categorised = {sha for sha, mid in media.items() if is_categorised(badges.get(mid, []))}
    return categorised | known | unmatched
