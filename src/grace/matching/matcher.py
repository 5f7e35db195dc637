"""Match one media item (or a bare hash) against the banks and the workspace's media.

Exact matches use the cryptographic hashes; near matches use PDQ (all eight dihedral
variants of the query, distance <= 31 by default, quality < 50 never matched) and vPDQ
(share of the query's frames matched). Results name the bank, category, distance and the
referrals the matched material came from, so an analyst sees why without opening anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from grace.banks.holds import active_holds
from grace.matching.index import hex_to_array
from grace.matching.indexes import MIN_QUALITY, WorkspaceIndexes
from grace.store.media_tables import BankEntry, HashBank, Media, MediaMatch
from grace.store.tables import ReferralFile, VaultObject

DEFAULT_DISTANCE = 31
DEFAULT_SHARE = 0.8


@dataclass
class Query:
    """What is known of the item to match; any field may be missing."""

    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: list[str] = field(default_factory=list)  # the hash and its dihedral variants
    pdq_quality: int | None = None
    vpdq: list[tuple[str, int]] = field(default_factory=list)  # (frame hash, quality)


@dataclass
class Match:
    """One hit, with what an analyst needs to judge it."""

    target: str  # bank | media
    method: str  # md5 | sha1 | sha256 | pdq | vpdq
    distance: int
    bank: str | None = None
    bank_kind: str | None = None
    category: dict[str, Any] | None = None
    entry_id: int | None = None
    media_id: int | None = None
    sha256: str | None = None
    share: float | None = None
    referrals: list[int] = field(default_factory=list)
    held: str | None = None  # why the entry does not alert (disputed, flooding), if held

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


class Matcher:
    """Runs queries in one session against the synced workspace indexes."""

    def __init__(self, session: Session, indexes: WorkspaceIndexes) -> None:
        self.session = session
        self.indexes = indexes

    def match(
        self,
        query: Query,
        *,
        max_distance: int = DEFAULT_DISTANCE,
        bank: str | None = None,
        include_media: bool = True,
        exclude_media_id: int | None = None,
        min_share: float = DEFAULT_SHARE,
    ) -> list[Match]:
        """Every bank entry and (optionally) media item the query matches, best first."""
        found: dict[tuple[str, int], Match] = {}
        for hit in self._bank_hits(query, max_distance, bank):
            _keep(found, ("bank", hit.entry_id or 0), hit)
        if include_media:
            for hit in self._media_hits(query, max_distance, min_share):
                if hit.media_id != exclude_media_id:
                    _keep(found, ("media", hit.media_id or 0), hit)
        results = sorted(found.values(), key=lambda m: (m.distance, m.target, m.method))
        self._attach_referrals(results)
        return results

    def _bank_hits(self, query: Query, radius: int, bank: str | None) -> list[Match]:
        exact = _exact_filters(BankEntry, query)
        hits: list[tuple[BankEntry, str, int]] = []
        if exact:
            for row in self.session.scalars(select(BankEntry).where(or_(*exact))):
                hits.append((row, _exact_method(row, query), 0))
        if _pdq_usable(query):
            nearest = _nearest(
                self.indexes.get(self.session, "bank-pdq").search(hex_to_array(query.pdq), radius)
            )
            rows = self.session.scalars(select(BankEntry).where(BankEntry.id.in_(list(nearest))))
            hits.extend((row, "pdq", nearest[row.id]) for row in rows)
        banks = {b.id: b for b in self.session.scalars(select(HashBank))}
        holds = active_holds(self.session, [row.id for row, _, _ in hits])
        return [
            Match(
                "bank",
                method,
                distance,
                bank=banks[row.bank_id].name,
                bank_kind=banks[row.bank_id].kind,
                category=_category(row),
                entry_id=row.id,
                held=holds[row.id].detail if row.id in holds else None,
            )
            for row, method, distance in hits
            if bank is None or banks[row.bank_id].name == bank
        ]

    def _media_hits(self, query: Query, radius: int, min_share: float) -> list[Match]:
        hits: list[Match] = []
        exact = _exact_filters(VaultObject, query)
        if exact:
            rows = self.session.execute(
                select(Media.id, Media.sha256, VaultObject)
                .join(VaultObject, VaultObject.sha256 == Media.sha256)
                .where(or_(*exact))
            )
            hits.extend(
                Match("media", _exact_method(vo, query), 0, media_id=mid, sha256=sha)
                for mid, sha, vo in rows
            )
        if _pdq_usable(query):
            index = self.indexes.get(self.session, "media-pdq")
            nearest = _nearest(index.search(hex_to_array(query.pdq), radius))
            hits.extend(Match("media", "pdq", d, media_id=mid) for mid, d in nearest.items())
        hits.extend(self._vpdq_hits(query, radius, min_share))
        return hits

    def _vpdq_hits(self, query: Query, radius: int, min_share: float) -> list[Match]:
        frames = [h for h, quality in query.vpdq if quality >= MIN_QUALITY]
        if not frames:
            return []
        index = self.indexes.get(self.session, "media-vpdq")
        matched: dict[int, int] = defaultdict(int)
        best: dict[int, int] = {}
        for ids, distances in index.search(hex_to_array(frames), radius):
            for mid, dist in zip(ids.tolist(), distances.tolist(), strict=True):
                matched[mid] += 1
                best[mid] = min(best.get(mid, 999), dist)
        return [
            Match("media", "vpdq", best[mid], media_id=mid, share=round(n / len(frames), 3))
            for mid, n in matched.items()
            if n / len(frames) >= min_share
        ]

    def _attach_referrals(self, results: Iterable[Match]) -> None:
        media = [m for m in results if m.target == "media"]
        ids = [m.media_id for m in media if m.media_id is not None]
        shas = dict(
            self.session.execute(select(Media.id, Media.sha256).where(Media.id.in_(ids))).all()
        )
        by_sha: dict[str, set[int]] = defaultdict(set)
        rows = self.session.execute(
            select(ReferralFile.sha256, ReferralFile.referral_id).where(
                ReferralFile.sha256.in_(list(shas.values()))
            )
        )
        for sha, referral in rows:
            if sha is not None:
                by_sha[sha].add(referral)
        for hit in media:
            hit.sha256 = shas.get(hit.media_id or 0, hit.sha256)
            hit.referrals = sorted(by_sha.get(hit.sha256 or "", set()))
        for hit in (m for m in results if m.target == "bank"):
            hit.referrals = self._bank_entry_referrals(hit.entry_id)

    def _bank_entry_referrals(self, entry_id: int | None) -> list[int]:
        rows = self.session.scalars(
            select(ReferralFile.referral_id)
            .join(Media, Media.sha256 == ReferralFile.sha256)
            .join(MediaMatch, MediaMatch.media_id == Media.id)
            .where(MediaMatch.bank_entry_id == entry_id)
            .distinct()
        )
        return sorted(rows)


def _pdq_usable(query: Query) -> bool:
    return bool(query.pdq) and (query.pdq_quality is None or query.pdq_quality >= MIN_QUALITY)


def _nearest(results: list[Any]) -> dict[int, int]:
    """Merge per-variant results: the smallest distance per id over all dihedral variants."""
    nearest: dict[int, int] = {}
    for ids, distances in results:
        for ident, dist in zip(ids.tolist(), distances.tolist(), strict=True):
            if dist < nearest.get(ident, 999):
                nearest[ident] = dist
    return nearest


def _exact_filters(table: Any, query: Query) -> list[Any]:
    return [
        getattr(table, kind) == value
        for kind, value in (("md5", query.md5), ("sha1", query.sha1), ("sha256", query.sha256))
        if value
    ]


def _exact_method(row: Any, query: Query) -> str:
    for kind in ("sha256", "sha1", "md5"):
        value = getattr(query, kind)
        if value and getattr(row, kind, None) == value:
            return kind
    return "md5"


def _category(row: BankEntry) -> dict[str, Any] | None:
    if row.category_code is None:
        return None
    label = (row.data.get("category") or {}).get("label")
    return {"scheme": row.category_scheme, "code": row.category_code, "label": label}


def _keep(found: dict[tuple[str, int], Match], key: tuple[str, int], hit: Match) -> None:
    """One result per target: an exact match beats a near one, a closer one a farther."""
    current = found.get(key)
    exact = hit.method in ("md5", "sha1", "sha256")
    if current is None or (exact, -hit.distance) > (
        current.method in ("md5", "sha1", "sha256"),
        -current.distance,
    ):
        found[key] = hit
