"""Several ingests and media runs at once, with overlapping inputs, on both databases.

Four real processes ingest overlapping three-quarter slices of one inbox in batches of
two (many commits, so many chances to collide), starting together; then three processes
run media processing over the same pending items. Every referral must be stored exactly
once (one process reports it ingested, the others already present), nothing valid may be
quarantined, every media item analysed once, every file given a status, and the vault and
the audit trail must verify with no blob left without its row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from builders import encoded, textured_image, write_media_referral
from grace.store.media_tables import Media
from grace.store.tables import Quarantine, Referral, ReferralFile
from grace.vault.verify import verify_vault
from grace.workspace import Workspace

REFERRALS = 24
INGESTS = 4
MEDIA_RUNS = 3

_RACER = """
import json, sys
from pathlib import Path
from typing import Any
import grace.ingest.pipeline as pipeline
from grace.media.process import MediaProcessor
from grace.workspace import Workspace
pipeline.BATCH_SIZE = 2  # many small commits: many chances to collide
workspace = Workspace.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
if sys.argv[2] == "ingest":
    report = pipeline.IngestPipeline(workspace, actor="racer").run(map(Path, sys.argv[3:]))
    print(json.dumps([o.as_dict() for o in report.outcomes]))
else:
    done = MediaProcessor(workspace, "racer", workers=1).run()
    print(json.dumps({"analysed": done.analysed, "errors": done.errors}))
workspace.close()
"""


def _inbox(root: Path) -> list[Path]:
    """Referrals with an image of their own each, and one image they all share."""
    shared = encoded(textured_image(7000), "PNG")
    return [
        write_media_referral(
            root,
            f"T-{n:05d}",
            {"own.png": encoded(textured_image(7000 + n), "PNG"), "s.png": shared},
        )
        for n in range(1, REFERRALS + 1)
    ]


def _race(workspace: Workspace, argvs: list[list[str]]) -> list[Any]:
    """Start one process per argv, let them all go at once, return their JSON results."""
    env = {**os.environ, "GRACE_HOME": str(workspace.home)}
    env.pop("GRACE_DATABASE_URL", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(workspace.home), *argv],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=240)
            assert proc.returncode == 0, err[-2000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def test_overlapping_ingests_then_media_runs_store_everything_once(
    workspace: Workspace, tmp_path: Path
) -> None:
    items = _inbox(tmp_path / "inbox")
    slices = [[str(p) for i, p in enumerate(items) if (i + k) % INGESTS] for k in range(INGESTS)]
    outcomes = [o for run in _race(workspace, [["ingest", *s] for s in slices]) for o in run]
    assert [o for o in outcomes if o["status"] == "quarantined"] == []
    ingested = Counter(o["source"].split("!")[0] for o in outcomes if o["status"] == "ingested")
    assert sorted(ingested) == sorted(map(str, items)) and set(ingested.values()) == {1}
    assert len(outcomes) == sum(map(len, slices))  # the rest: already present

    reports = _race(workspace, [["media"]] * MEDIA_RUNS)
    assert all(r["errors"] == [] for r in reports)
    with workspace.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == REFERRALS
        assert session.scalar(select(func.count()).select_from(Quarantine)) == 0
        shas = set(session.scalars(select(ReferralFile.sha256)))
        assert len(shas) == REFERRALS + 1
        assert session.scalar(select(func.count()).select_from(Media)) == len(shas)
        unfinished = select(func.count()).where(ReferralFile.media_status.is_(None))
        assert session.scalar(unfinished) == 0
        vault = verify_vault(session, workspace.vault)
        audit = workspace.audit.verify(session)
    assert vault.ok and vault.unrecorded == [], (vault.problems, vault.unrecorded)
    assert audit.ok, audit.problems
