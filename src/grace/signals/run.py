"""``grace signals run``: compute signals for media and referrals that have none yet.

A separate pass from hashing, so that hashing throughput does not depend on the models:
media processing calls it only when signals are switched on (``GRACE_SIGNALS=1`` or
``"signals": true`` in the workspace's ``workspace.json``). Rows are committed in chunks,
so an interrupted run resumes where it stopped, and each chunk is one audit event (the
models read evidence bytes; the vault is never written).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from grace.media.workers import worker_pool
from grace.model import Referral as ReferralModel
from grace.signals.base import THREADS_ENV
from grace.signals.media import MediaSignals, analyse_safely
from grace.signals.models import LANGUAGE, NSFW, TEXT_EMBEDDING, text_versions
from grace.signals.store import to_bytes
from grace.signals.switch import signals_enabled
from grace.signals.texts import text_pieces
from grace.store.locks import hold_write_lock
from grace.store.media_tables import Media
from grace.store.signal_tables import MediaSignal, ReferralTextSignal
from grace.store.tables import Referral
from grace.store.upsert import insert_new_objects
from grace.workspace import Workspace

__all__ = ["SignalRunner", "SignalsReport", "signals_enabled"]

CHUNK = 32
Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)`` with stage ``"media"`` or ``"text"``."""


@dataclass
class SignalsReport:
    media: int = 0
    referrals: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    media_seconds: float = 0.0  # the media pass alone, model loading included

    @property
    def images_per_second(self) -> float:
        return round(self.media / self.media_seconds, 2) if self.media_seconds else 0.0


def pending_media(session: Session) -> list[str]:
    """Analysed image and video items without signals, in media id order."""
    done = select(MediaSignal.sha256)
    return list(
        session.scalars(
            select(Media.sha256)
            .where(Media.kind.in_(("image", "video")), Media.sha256.not_in(done))
            .order_by(Media.id)
        )
    )


def pending_referrals(session: Session) -> list[int]:
    """Referrals with no text row, or whose stored embedding came from another model."""
    done = select(ReferralTextSignal.referral_id).where(
        or_(
            ReferralTextSignal.embedding_model.is_(None),
            ReferralTextSignal.embedding_model == TEXT_EMBEDDING.describe(),
        )
    )
    return list(
        session.scalars(select(Referral.id).where(Referral.id.not_in(done)).order_by(Referral.id))
    )


class SignalRunner:
    """Computes and stores the missing signals of a workspace."""

    def __init__(self, workspace: Workspace, actor: str, workers: int = 1) -> None:
        self.workspace = workspace
        self.actor = actor
        self.workers = max(1, workers)

    def run(
        self, progress: Progress | None = None, media: bool = True, text: bool = True
    ) -> SignalsReport:
        started = datetime.now(UTC)
        report = SignalsReport()
        if media:
            self._media(report, progress)
            report.media_seconds = round((datetime.now(UTC) - started).total_seconds(), 3)
        if text:
            self._text(report, progress)
        report.seconds = round((datetime.now(UTC) - started).total_seconds(), 3)
        return report

    def _media(self, report: SignalsReport, progress: Progress | None) -> None:
        with self.workspace.sessions() as session:
            pending = pending_media(session)
        done = 0
        for chunk in self._analysed(pending):
            with self.workspace.sessions.begin() as session:
                hold_write_lock(session)  # another run may store the same items: keep the first
                insert_new_objects(session, [_media_row(s, datetime.now(UTC)) for s in chunk])
                self._audit(session, "media_signals", chunk[0].sha256, len(chunk))
            self.workspace.audit.save_anchor()
            done += len(chunk)
            report.media += len(chunk)
            report.errors.extend(f"{s.sha256}: {s.error}" for s in chunk if s.error)
            if progress:
                progress("media", done, len(pending))

    def _analysed(self, pending: list[str]) -> Iterator[list[MediaSignals]]:
        chunks = [pending[i : i + CHUNK] for i in range(0, len(pending), CHUNK)]
        if self.workers <= 1 or len(pending) < 8:
            for chunk in chunks:
                yield [self._one(sha) for sha in chunk]
            return
        # spawn, not fork: a forked child would inherit ONNX Runtime thread pools that the
        # parent may already have started (text signals), which can deadlock.
        threads = max(1, (os.cpu_count() or 1) // self.workers)
        with worker_pool(self.workers, get_context("spawn"), _worker_init, (threads,)) as pool:
            for chunk in chunks:
                read = {sha: self._read(sha) for sha in chunk}
                blobs = {sha: data for sha, data in read.items() if isinstance(data, bytes)}
                done = dict(
                    zip(blobs, pool.map(analyse_safely, blobs, blobs.values()), strict=True)
                )
                yield [done.get(sha) or _unreadable(sha, str(read[sha])) for sha in chunk]

    def _read(self, sha256: str) -> bytes | str:
        """The vault bytes, or why they cannot be read (one bad object never stops a run)."""
        try:
            return self.workspace.vault.get(sha256)
        except Exception as exc:  # missing file, failed integrity check, I/O error
            return f"vault: {exc}"

    def _one(self, sha256: str) -> MediaSignals:
        data = self._read(sha256)
        return (
            analyse_safely(sha256, data) if isinstance(data, bytes) else _unreadable(sha256, data)
        )

    def _text(self, report: SignalsReport, progress: Progress | None) -> None:
        with self.workspace.sessions() as session:
            pending = pending_referrals(session)
        for start in range(0, len(pending), CHUNK):
            ids = pending[start : start + CHUNK]
            with self.workspace.sessions.begin() as session:
                hold_write_lock(session)
                rows = session.execute(
                    select(Referral.id, Referral.data).where(Referral.id.in_(ids))
                )
                now = datetime.now(UTC)
                texts = [
                    _text_row(referral_id, text_pieces(ReferralModel.model_validate(data)), now)
                    for referral_id, data in rows
                ]
                # rows from an older embedding model are replaced (derived data, not evidence)
                session.execute(
                    delete(ReferralTextSignal).where(ReferralTextSignal.referral_id.in_(ids))
                )
                insert_new_objects(session, texts)  # idempotent, as for media
                self._audit(session, "text_signals", str(ids[0]), len(ids), "referral")
            self.workspace.audit.save_anchor()
            report.referrals += len(ids)
            if progress:
                progress("text", start + len(ids), len(pending))

    def _audit(
        self, session: Session, action: str, first: str, count: int, kind: str = "media"
    ) -> None:
        self.workspace.audit.append(
            session,
            actor=self.actor,
            action=action,
            object_type=kind,
            object_id=first,
            details={"items": count, "models": _model_names(kind)},
        )


def _unreadable(sha256: str, why: str) -> MediaSignals:
    return MediaSignals(sha256=sha256, error=why)


def _worker_init(threads: int) -> None:
    """Each worker's ONNX Runtime uses its share of the cores, not all of them."""
    os.environ[THREADS_ENV] = str(threads)


def _model_names(kind: str) -> dict[str, str]:
    from grace.signals.models import media_versions

    return media_versions() if kind == "media" else text_versions()


def _media_row(s: MediaSignals, now: datetime) -> MediaSignal:
    return MediaSignal(
        sha256=s.sha256,
        kind=s.kind,
        models=s.models,
        nsfw_score=s.nsfw_score,
        face_count=s.face_count,
        faces=s.faces,
        youngest_age=s.youngest_age,
        youngest_age_sd=s.youngest_age_sd,
        frames=s.frames,
        embedding_model=NSFW.describe() if s.embedding is not None else None,
        embedding_dim=None if s.embedding is None else int(s.embedding.shape[0]),
        embedding=to_bytes(s.embedding),
        error=s.error,
        computed_at=now,
    )


def _text_row(referral_id: int, pieces: list[str], now: datetime) -> ReferralTextSignal:
    """Language of all the text together; embedding: mean of the pieces' unit vectors."""
    language = LANGUAGE.analyse(" \n".join(pieces))
    vector = None
    if pieces:
        mean = TEXT_EMBEDDING.encode(pieces).mean(axis=0)
        vector = mean / max(float((mean**2).sum() ** 0.5), 1e-12)
    return ReferralTextSignal(
        referral_id=referral_id,
        language=language["language"],
        language_score=language["language_score"],
        chars=sum(len(p) for p in pieces),
        models=text_versions(),
        embedding_model=TEXT_EMBEDDING.describe() if vector is not None else None,
        embedding_dim=None if vector is None else int(vector.shape[0]),
        embedding=to_bytes(vector),
        computed_at=now,
    )
