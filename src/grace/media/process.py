"""Media processing after ingest: analyse new vault objects, match them, group duplicates.

Runs in stages so that the search indexes only ever hold committed rows, and so that a
crash (SIGKILL, power loss) at any point loses nothing: (1) analyse pending objects and
commit their ``media`` and ``media_hashes`` rows chunk by chunk, each row unmatched
(``matched_at`` NULL); (2) take every unmatched item, whether this run or a crashed one
analysed it, and in one transaction per batch store its matches and duplicate groups, set
``matched_at`` and give every file of the affected referrals its status (known, viral,
duplicate, near duplicate, new) and each referral its counts; (3) give a status to files
still without one whose item is already matched. A re-run therefore finishes exactly what
is unfinished, and until an item is matched the desk withholds it. Analysis is spread over
worker processes (the bytes stay on this machine, and the workers die with this process).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from grace.banks.holds import FloodGuard
from grace.matching.indexes import WorkspaceIndexes
from grace.matching.matcher import Matcher, Query
from grace.media.analyse import MediaAnalysis, analyse_bytes
from grace.media.status import refresh_referrals, refresh_statuses, unfinished_referrals
from grace.media.workers import worker_pool
from grace.signals.switch import signals_enabled
from grace.store.locks import hold_write_lock
from grace.store.media_tables import Media, MediaMatch
from grace.store.tables import MediaHash, ReferralFile
from grace.store.upsert import insert_new_objects
from grace.workspace import Workspace

CHUNK = 64
MATCH_CHUNK = 32  # items matched per transaction: the unit a crash can lose (and redo)


@dataclass
class ProcessReport:
    analysed: int = 0
    errors: list[str] = field(default_factory=list)
    matches: int = 0
    referrals: int = 0
    signals: int = 0  # media items given model signals (only when signals are switched on)
    held: int = 0  # bank matches kept under a hold (disputed or flooding entry): no alert
    notices: list[str] = field(default_factory=list)  # one line per entry newly held


def pdq_variants(pdq: str | None, dihedral: dict[str, str]) -> list[str]:
    """The hash first, then its distinct rotations and flips (a query searches them all)."""
    variants = [pdq] if pdq else []
    return variants + [v for _, v in sorted(dihedral.items()) if v and v != pdq]


def query_of(analysis: MediaAnalysis) -> Query:
    """What the matcher needs from an analysis: digests, PDQ variants, vPDQ frames."""
    variants = pdq_variants(analysis.pdq, analysis.dihedral)
    frames = [(f["pdq"], int(f["quality"])) for f in analysis.vpdq if f.get("pdq")]
    return Query(
        md5=analysis.md5,
        sha1=analysis.sha1,
        sha256=analysis.sha256,
        pdq=variants,
        pdq_quality=analysis.pdq_quality,
        vpdq=frames,
    )


class MediaProcessor:
    """Processes every vault object referenced by a referral file but not yet analysed."""

    def __init__(self, workspace: Workspace, actor: str, workers: int | None = None) -> None:
        self.workspace = workspace
        self.actor = actor
        self.indexes = WorkspaceIndexes(workspace.home / "index")
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)

    def run(self, progress: Callable[[int, int], None] | None = None) -> ProcessReport:
        report = ProcessReport()
        with self.workspace.sessions() as session:
            pending = _pending(session)
        for done, chunk in enumerate(self._analysed(pending), start=1):
            self._store(chunk, report)
            if progress:
                progress(min(done * CHUNK, len(pending)), len(pending))
        self._match_unmatched(report)
        self._finish_statuses(report)
        self._signals(report)
        return report

    def _match_unmatched(self, report: ProcessReport) -> None:
        """Match every analysed but unmatched item, one committed batch at a time."""
        with self.workspace.sessions() as session:
            unmatched = list(
                session.scalars(
                    select(Media.id).where(Media.matched_at.is_(None)).order_by(Media.id)
                )
            )
        for start in range(0, len(unmatched), MATCH_CHUNK):
            batch = unmatched[start : start + MATCH_CHUNK]
            with self.workspace.sessions.begin() as session:
                hold_write_lock(session)  # one matcher at a time: an item is matched once
                guard = FloodGuard(session)
                matches, held = self._match_all(session, batch, guard)
                for hold in guard.placed:
                    self.workspace.audit.append(
                        session,
                        actor=self.actor,
                        action="bank_entry.held",
                        object_type="bank_entry",
                        object_id=str(hold.bank_entry_id),
                        details={"reason": hold.reason, "detail": hold.detail},
                    )
                referrals = refresh_statuses(session, batch)
                self.workspace.audit.append(
                    session,
                    actor=self.actor,
                    action="media_process",
                    object_type="media",
                    object_id=f"{min(batch)}-{max(batch)}",
                    details={
                        "matched": len(batch),
                        "matches": matches,
                        "held": held,
                        "referrals": referrals,
                    },
                )
            self.workspace.audit.save_anchor()
            report.matches += matches
            report.held += held
            report.notices.extend(guard.notices)
            report.referrals += referrals

    def _finish_statuses(self, report: ProcessReport) -> None:
        """Statuses for files whose item was matched already (or that have no item)."""
        with self.workspace.sessions() as session:
            stale = unfinished_referrals(session)
        for start in range(0, len(stale), MATCH_CHUNK):
            with self.workspace.sessions.begin() as session:
                hold_write_lock(session)
                report.referrals += refresh_referrals(session, stale[start : start + MATCH_CHUNK])

    def _signals(self, report: ProcessReport) -> None:
        """Model signals as a separate pass, only when switched on (hashing never waits)."""
        if signals_enabled(self.workspace):
            from grace.signals.run import SignalRunner  # imports the model libraries

            report.signals = SignalRunner(self.workspace, self.actor).run().media

    def _analysed(self, pending: list[str]) -> Iterator[list[MediaAnalysis]]:
        chunks = [pending[i : i + CHUNK] for i in range(0, len(pending), CHUNK)]
        if self.workers <= 1 or len(pending) < 8:
            for chunk in chunks:
                chunk = self._unanalysed(chunk)
                yield [analyse_bytes(self.workspace.vault.get(sha)) for sha in chunk]
            return
        with worker_pool(self.workers) as pool:
            for chunk in chunks:
                blobs = [self.workspace.vault.get(sha) for sha in self._unanalysed(chunk)]
                yield list(pool.map(analyse_bytes, blobs, chunksize=4))

    def _unanalysed(self, shas: list[str]) -> list[str]:
        """Drop items another process analysed since this run listed them (saves the work;
        storing them twice would be harmless)."""
        with self.workspace.sessions() as session:
            done = set(session.scalars(select(Media.sha256).where(Media.sha256.in_(shas))))
        return [sha for sha in shas if sha not in done]

    def _store(self, chunk: list[MediaAnalysis], report: ProcessReport) -> None:
        now = datetime.now(UTC)
        rows = [_media_row(a, now) for a in chunk]
        with self.workspace.sessions.begin() as session:
            # Another process may analyse the same item at once: its rows are the same, so
            # keep whichever came first (ON CONFLICT DO NOTHING). Under the write lock, media
            # ids commit in order, as the indexes' watermarks assume (docs/ingest.md).
            hold_write_lock(session)
            insert_new_objects(session, rows)
            insert_new_objects(session, [h for a in chunk for h in _hash_rows(a)])
        report.analysed += len(chunk)
        report.errors.extend(f"{a.sha256}: {a.error}" for a in chunk if a.error)

    def _match_all(
        self, session: Session, media_ids: list[int], guard: FloodGuard
    ) -> tuple[int, int]:
        """Matches and groups of these items; marks them matched (the caller commits).

        A bank hit on a held entry (disputed, or flooding: ``guard`` decides) is stored with
        its hold and suppressed, so it gives no status; returns (matches, held)."""
        matcher = Matcher(session, self.indexes)
        now = datetime.now(UTC)
        count = held = 0
        items = session.scalars(
            select(Media).where(Media.id.in_(media_ids), Media.matched_at.is_(None))
        ).all()
        # Matching an item replaces its matches: an item a crash left unmatched can hold
        # none, but an upgraded workspace might, and a match must never be stored twice.
        mine = [m.id for m in items]
        session.execute(delete(MediaMatch).where(MediaMatch.media_id.in_(mine)))
        for media in items:
            query = _stored_query(session, media)
            hits = matcher.match(query, exclude_media_id=media.id)
            for hit in hits:
                hold = None
                if hit.entry_id is not None and hit.bank_kind != "suppression":
                    hold = guard.hold_for(hit.entry_id, hit.bank or "")
                held += hold is not None
                session.add(
                    MediaMatch(
                        media_id=media.id,
                        bank_entry_id=hit.entry_id,
                        other_media_id=hit.media_id,
                        method=hit.method,
                        distance=hit.distance,
                        share=hit.share,
                        suppressed=hit.bank_kind == "suppression" or hold is not None,
                        hold_id=hold.id if hold is not None else None,
                    )
                )
            _join_groups(session, media, [h.media_id for h in hits if h.media_id])
            media.matched_at = now
            count += len(hits)
        session.flush()
        return count, held


def _pending(session: Session) -> list[str]:
    """Referenced vault objects without analysis, oldest referral first."""
    rows = session.execute(
        select(ReferralFile.sha256, func.min(ReferralFile.referral_id))
        .where(ReferralFile.sha256.is_not(None), ReferralFile.sha256.not_in(select(Media.sha256)))
        .group_by(ReferralFile.sha256)
        .order_by(func.min(ReferralFile.referral_id), ReferralFile.sha256)
    )
    return [sha for sha, _ in rows if sha]


def _media_row(a: MediaAnalysis, now: datetime) -> Media:
    gps = a.gps or {}
    record = a.to_record()
    record.pop("path", None)
    return Media(
        sha256=a.sha256 or "",
        kind=a.kind,
        mime=a.mime,
        width=a.width,
        height=a.height,
        pdq=a.pdq,
        pdq_quality=a.pdq_quality,
        gps_lat=gps.get("lat"),
        gps_lon=gps.get("lon"),
        error=a.error,
        analysed_at=now,
        data=record,
    )


def _hash_rows(a: MediaAnalysis) -> Iterator[MediaHash]:
    for name, values in a.hashes.items():
        version = a.hasher_versions.get(name, "")
        for value in values:
            if value.kind in ("md5", "sha1", "sha256"):
                continue  # the vault object row already holds the digests
            yield MediaHash(
                sha256=a.sha256 or "",
                kind=value.kind,
                variant=value.variant[:30],
                value=value.value,
                quality=value.quality,
                hasher_version=version[:30],
            )


def _stored_query(session: Session, media: Media) -> Query:
    record = media.data
    variants = pdq_variants(media.pdq, record.get("dihedral") or {})
    frames = session.execute(
        select(MediaHash.value, MediaHash.quality).where(
            MediaHash.sha256 == media.sha256, MediaHash.kind == "vpdq"
        )
    ).all()
    return Query(
        md5=record.get("md5"),
        sha1=record.get("sha1"),
        sha256=media.sha256,
        pdq=variants,
        pdq_quality=media.pdq_quality,
        vpdq=[(v, q or 0) for v, q in frames],
    )


def _join_groups(session: Session, media: Media, others: list[int]) -> None:
    """Union the item's duplicate group with those of every media item it matched."""
    groups = {media.group_id or media.id}
    if others:
        groups |= {
            g or i
            for i, g in session.execute(
                select(Media.id, Media.group_id).where(Media.id.in_(others))
            )
        }
    target = min(groups | {media.id})
    session.execute(
        update(Media)
        .where((Media.group_id.in_(groups)) | (Media.id.in_([media.id, *others])))
        .values(group_id=target)
    )
