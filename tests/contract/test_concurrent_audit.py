"""The audit chain under concurrent writers: threads of one process (the desk's request
threads) and separate processes (several ``grace`` commands) appending at the same time.

Every append must succeed, the sequence must stay gap-free and verify, and the anchor
must end on the newest event (threads used to share one temporary anchor file, and one
request's rename could take another's file away: a 500 after the action had committed).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from grace.store.tables import AuditEvent
from grace.workspace import Workspace

THREADS = 12
PER_THREAD = 6
PROCESSES = 3
PER_PROCESS = 15

_WRITER = """
import sys
from grace.workspace import Workspace
workspace = Workspace.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[2])):
    with workspace.sessions.begin() as session:
        workspace.audit.append(session, actor="proc", action="view", object_type="referral",
                               object_id=str(i), details={"pid": sys.argv[3]})
workspace.close()
"""


def _append_many(workspace: Workspace, start: threading.Barrier, who: int) -> int:
    start.wait(timeout=30)
    for i in range(PER_THREAD):
        with workspace.sessions.begin() as session:
            workspace.audit.append(
                session,
                actor=f"thread-{who}",
                action="view",
                object_type="referral",
                object_id=str(i),
                details={"i": i},
            )
            if i % 2:  # two events in one transaction: the cached head carries forward
                workspace.audit.append(
                    session,
                    actor=f"thread-{who}",
                    action="view",
                    object_type="media",
                    object_id=str(i),
                )
    return who


def test_threads_and_processes_append_without_losing_an_event(workspace: Workspace) -> None:
    env = {**os.environ, "GRACE_HOME": str(workspace.home)}
    env.pop("GRACE_DATABASE_URL", None)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(workspace.home), str(PER_PROCESS), str(n)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    try:
        for proc in writers:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        start = threading.Barrier(THREADS)
        with ThreadPoolExecutor(THREADS) as pool:
            for proc in writers:
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            done = list(pool.map(lambda n: _append_many(workspace, start, n), range(THREADS)))
        assert sorted(done) == list(range(THREADS))  # no thread failed
        assert [proc.wait(timeout=120) for proc in writers] == [0] * PROCESSES
    finally:
        for proc in writers:
            if proc.poll() is None:
                proc.kill()
    expected = THREADS * (PER_THREAD + PER_THREAD // 2) + PROCESSES * PER_PROCESS
    with workspace.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == expected
        report = workspace.audit.verify(session)
    assert report.ok, report.problems
    assert report.events == expected
    anchored = (workspace.home / "audit.anchor.json").read_text(encoding="utf-8")
    assert f'"seq": {expected}' in anchored  # the newest event, whoever wrote it last
    leftovers = [p.name for p in workspace.home.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
