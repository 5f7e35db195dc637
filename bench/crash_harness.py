"""Crash-safety harness: SIGKILL real ``grace`` processes, re-run them, compare the outcome.

Shared by ``bench/crash.py`` (random kill points, many trials) and
``tests/integration/test_crash_safety.py`` (a few fixed kill points). A trial prepares a
fresh workspace (the demo's known hash set imported, and for the ``media`` stage the batch
already ingested with ``--no-media``), starts ``grace ingest`` or ``grace media process``
as a subprocess, SIGKILLs it at a chosen point, checks that its worker processes died with
it, re-runs a repair command to completion, and compares what an analyst and the evidence
trail would see with an uninterrupted reference run. Nothing is compared by database id
(PostgreSQL sequences skip values a killed transaction took); everything by content.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from grace.banks.repository import BankKind, import_bank
from grace.desk.wall import hidden_shas
from grace.ingest.pipeline import IngestPipeline
from grace.store.media_tables import BankEntry, HashBank, Media, MediaMatch
from grace.store.tables import Referral, ReferralFile
from grace.vault.verify import verify_vault
from grace.workspace import Workspace

GRACE = [sys.executable, "-m", "grace.cli.main"]
ACTOR = "crash-harness"
WORKER_GRACE_SECONDS = 5.0
POLL_SECONDS = 0.02
RUN_TIMEOUT = 300


@dataclass(frozen=True)
class Batch:
    input_dir: Path
    hashset: Path


def make_batch(root: Path, referrals: int, seed: int) -> Batch:
    """A benign synthetic demo batch plus the VICS set of its known media."""
    from grace.demo import generate

    summary = generate(root, referrals, seed)
    return Batch(summary.input_dir, summary.hashset_path)


@contextmanager
def database(admin_url: str | None, prefix: str = "crash") -> Iterator[str | None]:
    """A uniquely named PostgreSQL database for one workspace, dropped afterwards (None: SQLite)."""
    if admin_url is None:
        yield None
        return
    base = make_url(admin_url)
    name = f"{os.environ.get('GRACE_TEST_DB_PREFIX', prefix)}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(home: Path, url: str | None, batch: Batch, stage: str) -> None:
    """A fresh workspace with the known set imported; for ``media``, the batch ingested."""
    workspace = Workspace.init(home, url)
    try:
        import_bank(
            workspace,
            batch.hashset.read_bytes(),
            str(batch.hashset),
            name="demo-known",
            kind=BankKind.KNOWN,
            actor=ACTOR,
        )
        if stage == "media":
            IngestPipeline(workspace, actor=ACTOR).run([batch.input_dir])
    finally:
        workspace.close()


def command(stage: str, batch: Batch) -> list[str]:
    """The command a trial kills (and, for a repair, re-runs)."""
    if stage == "ingest":
        return [*GRACE, "ingest", "--json", str(batch.input_dir)]
    return [*GRACE, "media", "process", "--json"]


def environment(home: Path) -> dict[str, str]:
    env = {**os.environ, "GRACE_HOME": str(home)}
    env.pop("GRACE_DATABASE_URL", None)  # the workspace remembers its own database
    return env


def run_to_end(cmd: list[str], home: Path) -> int:
    done = subprocess.run(
        cmd, env=environment(home), capture_output=True, text=True, timeout=RUN_TIMEOUT
    )
    return done.returncode


# A kill point: given the seconds since start and a progress probe, whether to kill now.
KillPoint = Callable[[float, "Probe"], bool]


class Probe:
    """Reads progress from the workspace database while the victim runs (a separate reader)."""

    def __init__(self, home: Path) -> None:
        workspace = Workspace.open(home)
        self.url = workspace.database_url
        workspace.close()
        self.engine = create_engine(self.url)
        self.pid = 0  # the victim's process id, once started

    def children(self) -> list[psutil.Process]:
        """The victim's worker processes (empty before it starts any, or once it ended)."""
        try:
            return list(psutil.Process(self.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            return []

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "referrals": conn.scalar(select(func.count()).select_from(Referral)) or 0,
                "media": conn.scalar(select(func.count()).select_from(Media)) or 0,
                "matched": conn.scalar(select(func.count()).where(Media.matched_at.is_not(None)))
                or 0,
                "matches": conn.scalar(select(func.count()).select_from(MediaMatch)) or 0,
            }

    def close(self) -> None:
        self.engine.dispose()


def after_seconds(seconds: float) -> KillPoint:
    return lambda elapsed, _probe: elapsed >= seconds


def when_count(name: str, at_least: int = 1, then: float = 0.0) -> KillPoint:
    """Kill ``then`` seconds after the database first holds ``at_least`` ``name`` rows."""
    seen: list[float] = []

    def point(elapsed: float, probe: Probe) -> bool:
        if not seen and probe.counts()[name] >= at_least:
            seen.append(elapsed)
        return bool(seen) and elapsed >= seen[0] + then

    return point


@dataclass
class Kill:
    killed: bool  # False: the command finished before the kill point was reached
    at_seconds: float
    counts: dict[str, int]
    workers: int  # worker processes alive at the kill
    orphans: int  # of those, still alive WORKER_GRACE_SECONDS after it


def run_killed(cmd: list[str], home: Path, point: KillPoint) -> Kill:
    """Start ``cmd``, SIGKILL it at ``point``, and check that its children died with it."""
    probe = Probe(home)
    victim = subprocess.Popen(
        cmd, env=environment(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    probe.pid = victim.pid
    start = time.monotonic()
    try:
        while victim.poll() is None:
            elapsed = time.monotonic() - start
            if point(elapsed, probe):
                children = probe.children()
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                _gone, alive = psutil.wait_procs(children, timeout=WORKER_GRACE_SECONDS)
                for orphan in alive:  # clean up, but count it: this is the defect
                    orphan.kill()
                return Kill(True, elapsed, probe.counts(), len(children), len(alive))
            if elapsed > RUN_TIMEOUT:
                victim.kill()
                victim.wait()
                raise TimeoutError(f"{cmd} ran past {RUN_TIMEOUT} s")
            time.sleep(POLL_SECONDS)
        return Kill(False, time.monotonic() - start, probe.counts(), 0, 0)
    finally:
        probe.close()


@dataclass
class State:
    """What an analyst and the evidence trail would see, keyed by content, not by ids."""

    referrals: set[str] = field(default_factory=set)
    files: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    matches: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    groups: set[frozenset[str]] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)  # items some referral file holds
    without_status: int = 0
    vault_ok: bool = False
    audit_ok: bool = False


def snapshot(home: Path, verify: bool = True) -> State:
    workspace = Workspace.open(home)
    try:
        with workspace.sessions() as session:
            state = State()
            for key, counts in session.execute(select(Referral.natural_key, Referral.media_counts)):
                state.referrals.add(key)
                state.counts[key] = counts
            rows = session.execute(
                select(
                    Referral.natural_key,
                    ReferralFile.sha256,
                    ReferralFile.name,
                    ReferralFile.media_status,
                ).join(Referral, Referral.id == ReferralFile.referral_id)
            ).all()
            for key, sha, name, status in rows:
                state.files.setdefault(key, []).append((sha or "", name or "", status))
                state.without_status += status is None
                if status == "known" and sha:
                    state.known.add(sha)
            for files in state.files.values():
                files.sort()
            state.matches = _matches(session)
            groups: dict[int, set[str]] = {}
            for sha, media_id, group in session.execute(
                select(Media.sha256, Media.id, Media.group_id)
            ):
                groups.setdefault(group or media_id, set()).add(sha)
            state.groups = {frozenset(g) for g in groups.values()}
            shas = sorted({sha for _k, sha, _n, _s in rows if sha})
            state.present = set(shas)
            state.hidden = hidden_shas(session, shas)
            if verify:  # what ``grace vault verify`` and ``grace audit verify`` run
                state.vault_ok = verify_vault(session, workspace.vault).ok
                state.audit_ok = workspace.audit.verify(session).ok
        return state
    finally:
        workspace.close()


def _matches(session: Any) -> Counter[tuple[Any, ...]]:
    other = Media.__table__.alias("other")
    rows = session.execute(
        select(
            Media.sha256,
            other.c.sha256,
            HashBank.name,
            BankEntry.md5,
            BankEntry.sha1,
            BankEntry.sha256,
            BankEntry.pdq,
            MediaMatch.method,
            MediaMatch.distance,
            MediaMatch.share,
            MediaMatch.suppressed,
        )
        .join(Media, Media.id == MediaMatch.media_id)
        .outerjoin(other, other.c.id == MediaMatch.other_media_id)
        .outerjoin(BankEntry, BankEntry.id == MediaMatch.bank_entry_id)
        .outerjoin(HashBank, HashBank.id == BankEntry.bank_id)
    ).all()
    return Counter(tuple(r) for r in rows)  # a match stored twice counts twice


def shown_known(reference: State, crashed: State) -> set[str]:
    """Known items (per the reference) that a crashed workspace holds and would display."""
    return (reference.known & crashed.present) - crashed.hidden


def differences(reference: State, trial: State) -> list[str]:
    """Every way the trial's end state differs from the reference (empty: equal)."""
    problems = [
        f"{name} differ"
        for name in ("referrals", "files", "counts", "matches", "groups", "hidden")
        if getattr(reference, name) != getattr(trial, name)
    ]
    if not trial.vault_ok:
        problems.append("vault verify failed")
    if not trial.audit_ok:
        problems.append("audit verify failed")
    return problems
