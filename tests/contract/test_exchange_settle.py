"""A referral package received by `grace receive` lands in the receiving agency's queue.

The coordinator addressed the package to de-bka, so at de-bka every received referral is
routed, assigned to de-bka (whatever its local routing table said, which the reason names)
and scored, without anyone running `grace route` by hand. Real processes: the receiving
side is the CLI, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update

from builders import write_grace_bundle
from grace.exchange.node import load_node, set_node
from grace.exchange.peers import add_peer
from grace.exchange.send import send_referrals
from grace.exports.signing import public_pem
from grace.ingest.pipeline import IngestPipeline
from grace.store.intel_tables import TriageRun
from grace.store.tables import AuditEvent, Referral
from grace.workspace import Workspace


def _coordinator_with_packages(root: Path, receiver: Workspace) -> list[Path]:
    europol = Workspace.init(root / "europol")
    inbox = root / "inbox"
    inbox.mkdir()
    for n in range(4):
        write_grace_bundle(inbox, n, images=1)
    assert IngestPipeline(europol).run([inbox]).ok
    with europol.sessions.begin() as session:  # the coordinator's routing decision
        session.execute(update(Referral).values(agency="de-bka"))
    set_node(europol, "europol", "europol", "test")
    set_node(receiver, "de-bka", "de-bka", "test")
    pem = {
        n: public_pem(load_node(w).key.public_key()) for n, w in (("eu", europol), ("de", receiver))
    }
    add_peer(europol, "de-bka", pem["de"], "test", None, "de-bka")
    add_peer(receiver, "europol", pem["eu"], "test", None, "europol")
    outbox = root / "outbox"
    sent = send_referrals(europol, "test", agencies=["de-bka"], outbox=outbox)
    assert {s.delivery for s in sent} == {"outbox"}
    return sorted((outbox / "de-bka").glob("*.zip"))


def _receive(workspace: Workspace, packages: list[Path]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "grace.cli.main", "receive", "--home", str(workspace.home)]
    return subprocess.run(
        [*command, *map(str, packages), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"GRACE_PASSWORD_HASH_PROFILE": "test"},
    )


def test_received_referrals_are_routed_assigned_and_scored(
    workspace: Workspace, tmp_path: Path
) -> None:
    packages = _coordinator_with_packages(tmp_path, workspace)
    done = _receive(workspace, packages)
    assert done.returncode == 0, done.stderr
    assert {r["status"] for r in json.loads(done.stdout)} == {"ingested"}
    with workspace.sessions() as session:
        rows = session.execute(select(Referral.agency, Referral.routing)).all()
        runs = session.scalars(select(TriageRun.id)).all()
        assigned = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "exchange.assign")
        ).all()
    assert len(rows) == 4 and {agency for agency, _ in rows} == {"de-bka"}
    reasons = [str((routing or {}).get("reason")) for _, routing in rows]
    assert all("addressed to de-bka" in reason for reason in reasons)
    # those the local table placed elsewhere name both decisions
    moved = [r for r in reasons if "local routing" in r]
    assert all("local routing de-bka:" not in r for r in moved)
    assert moved and len(assigned) == 1  # the builders place some outside Germany
    assert runs, "received referrals are scored"
    again = _receive(workspace, packages)  # nothing new: nothing moves, no new triage run
    assert again.returncode == 0, again.stderr
    assert {r["status"] for r in json.loads(again.stdout)} == {"already_present"}
    with workspace.sessions() as session:
        assert session.scalars(select(TriageRun.id)).all() == runs
    verify = subprocess.run(
        [sys.executable, "-m", "grace.cli.main", "audit", "verify", "--home", str(workspace.home)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verify.returncode == 0, verify.stderr
