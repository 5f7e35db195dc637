"""Three grace nodes on loopback: a coordinator (europol), de-bka and nl-police, each its
own workspace and ``grace serve`` process (de-bka on PostgreSQL where one is configured),
exchanging referrals and outcomes only through signed packages over HTTP.

The coordinator ingests a generated benign batch, routes it and sends; each national node
must hold exactly the referrals routed to it, the evidence byte-exact, and custody naming
the coordinator, the package digest and the signer. Tampered, unknown-key, replayed and
misaddressed packages are refused with one line and ingest nothing. Outcomes come back and
appear in the coordinator's stats.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from grace.demo.generate import generate
from grace.exchange import package
from grace.exchange.node import Node as NodeId
from grace.exchange.node import load_node
from grace.store.media_tables import Media
from grace.store.tables import Referral, ReferralFile
from grace.workspace import Workspace
from net import free_port
from pg import admin_url, throwaway_database

GRACE = [sys.executable, "-m", "grace.cli.main"]
NATIONAL = ("de-bka", "nl-police")


@dataclass
class Node:
    name: str
    home: Path
    database_url: str | None = None
    url: str = ""


def grace(node: Node, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRACE_HOME": str(node.home)}
    if node.database_url:
        env["GRACE_DATABASE_URL"] = node.database_url
    done = subprocess.run([*GRACE, *args], capture_output=True, text=True, env=env, timeout=180)
    if ok:
        assert done.returncode == 0, f"{args}: {done.stdout[-800:]} {done.stderr[-1500:]}"
    return done


def grace_json(node: Node, *args: str, ok: bool = True) -> object:
    return json.loads(grace(node, *args, "--json", ok=ok).stdout)


def _wait(url: str) -> None:
    for _ in range(600):
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not start")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str | None]:
    """A uniquely named PostgreSQL database for de-bka, dropped afterwards (required in CI)."""
    if not admin_url() and os.environ.get("GRACE_REQUIRE_POSTGRES") != "1":
        yield None
        return
    with throwaway_database("exchange") as url:
        yield url


@pytest.fixture(scope="module")
def nodes(
    tmp_path_factory: pytest.TempPathFactory, pg_url: str | None
) -> Iterator[dict[str, Node]]:
    root = tmp_path_factory.mktemp("exchange")
    found = {n: Node(n, root / n) for n in ("europol", *NATIONAL)}
    found["de-bka"].database_url = pg_url
    for node in found.values():
        Workspace.init(node.home, node.database_url).close()
        grace(node, "node", "set", "--name", node.name, "--agency", node.name)
        grace(node, "node", "show", "--key-out", str(root / f"{node.name}.pem"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for node in found.values():
            port = free_port()
            env = {**os.environ, "GRACE_HOME": str(node.home)}
            if node.database_url:
                env["GRACE_DATABASE_URL"] = node.database_url
            with (root / f"{node.name}.log").open("ab") as log:
                procs.append(
                    subprocess.Popen(
                        [*GRACE, "serve", "--port", str(port)],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            node.url = f"http://127.0.0.1:{port}"
        coordinator = found["europol"]
        for name in NATIONAL:
            national = found[name]
            mine = grace_json(
                coordinator,
                "peers",
                "add",
                name,
                "--key",
                str(root / f"{name}.pem"),
                "--url",
                national.url,
                "--agency",
                name,
            )
            theirs = grace_json(
                national,
                "peers",
                "add",
                "europol",
                "--url",
                coordinator.url,
                "--key",
                str(root / "europol.pem"),
                "--agency",
                "europol",
            )
            assert isinstance(mine, dict) and isinstance(theirs, dict)
            grace(coordinator, "peers", "token", "--", name, theirs["inbound_token"])
            grace(national, "peers", "token", "--", "europol", mine["inbound_token"])
        de, nl = found["de-bka"], found["nl-police"]  # de-bka shares banks with nl-police
        to_nl = grace_json(
            de,
            "peers",
            "add",
            "nl-police",
            "--key",
            str(root / "nl-police.pem"),
            "--url",
            nl.url,
            "--agency",
            "nl-police",
        )
        to_de = grace_json(
            nl,
            "peers",
            "add",
            "de-bka",
            "--key",
            str(root / "de-bka.pem"),
            "--url",
            de.url,
            "--agency",
            "de-bka",
        )
        assert isinstance(to_nl, dict) and isinstance(to_de, dict)
        grace(de, "peers", "token", "--", "nl-police", to_de["inbound_token"])
        grace(nl, "peers", "token", "--", "de-bka", to_nl["inbound_token"])
        generate(root / "batch", 60, 11)
        grace(coordinator, "ingest", str(root / "batch" / "input"))
        grace(coordinator, "route")
        for node in found.values():
            _wait(node.url)
        yield found
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _evidence(node: Node) -> dict[str, set[str]]:
    """external id -> SHA-256 of every file, read back from the vault (proves the bytes)."""
    workspace = Workspace.open(node.home, node.database_url)
    try:
        with workspace.sessions() as session:
            out: dict[str, set[str]] = {}
            rows = session.execute(
                select(Referral.external_id, ReferralFile.sha256, Referral.agency).join(
                    ReferralFile, ReferralFile.referral_id == Referral.id, isouter=True
                )
            )
            for external, sha, agency in rows:
                digests = out.setdefault(f"{external}|{agency}", set())
                if sha:
                    assert hashlib.sha256(workspace.vault.get(sha)).hexdigest() == sha
                    digests.add(sha)
            return out
    finally:
        workspace.close()


def _by_external(evidence: dict[str, set[str]], agency: str | None) -> dict[str, set[str]]:
    return {
        key.split("|")[0]: shas
        for key, shas in evidence.items()
        if agency is None or key.split("|")[1] == agency
    }


def _count(node: Node) -> int:
    workspace = Workspace.open(node.home, node.database_url)
    try:
        with workspace.sessions() as session:
            return len(session.scalars(select(Referral.id)).all())
    finally:
        workspace.close()


def test_send_receive_refuse_outcomes(nodes: dict[str, Node], tmp_path: Path) -> None:
    coordinator = nodes["europol"]
    sent = grace_json(coordinator, "send")
    assert isinstance(sent, dict) and sent["failed"] == 0 and sent["sent"] > 0
    assert all(p["delivery"] == "delivered" and p["receipt_ok"] for p in sent["packages"])
    routed = _evidence(coordinator)
    europol_fp = grace_json(coordinator, "node", "show")["fingerprint"]  # type: ignore[index]
    for name in NATIONAL:
        national = nodes[name]
        want = _by_external(routed, name)
        got = _by_external(_evidence(national), None)
        assert len(want) > 0 and got == want  # same referrals, byte-exact evidence
        history = grace_json(national, "exchange", "history", "1", ok=True)
        assert isinstance(history, dict)
        arrival = history["received_from"][0]
        assert arrival["sender"] == "europol" and arrival["signer_fingerprint"] == europol_fp
        assert arrival["sender_custody"] and all(
            c["node"] == "europol" for c in arrival["sender_custody"]
        )
        assert all(arrival["package_sha256"] in c["source"] for c in history["custody"])
    # sending again sends nothing new; a named referral sent again is already present
    assert grace_json(coordinator, "send")["sent"] == 0  # type: ignore[index]
    _disseminated(nodes)
    _media_processed(nodes)

    _refusals(nodes, tmp_path)
    _outcomes(nodes)
    for node in nodes.values():
        grace(node, "vault", "verify")
        grace(node, "audit", "verify")


def _disseminated(nodes: dict[str, Node]) -> None:
    """The coordinator marks each referral sent: acknowledged by a signed receipt."""
    coordinator = nodes["europol"]
    stats = grace_json(coordinator, "stats")
    assert isinstance(stats, dict)
    counts = stats["dissemination"]
    routed = sum(n for a, n in stats["by_agency"].items() if a in NATIONAL)
    assert counts["acknowledged"] == routed and counts["failed"] == 0
    workspace = Workspace.open(coordinator.home)
    try:
        with workspace.sessions() as session:
            first = session.scalar(select(Referral.id).where(Referral.agency == "de-bka"))
    finally:
        workspace.close()
    shown = grace_json(coordinator, "referrals", "show", str(first))
    assert isinstance(shown, dict)
    mark = shown["dissemination"]
    assert mark["status"] == "acknowledged" and mark["peer"] == "de-bka"
    assert mark["receipt_ok"] and isinstance(mark["receiver_referral_id"], int)


def _media_processed(nodes: dict[str, Node]) -> None:
    """Each national node hashes and matches what it received, in the background."""
    for name in NATIONAL:
        deadline = time.monotonic() + 120
        while True:
            workspace = Workspace.open(nodes[name].home, nodes[name].database_url)
            try:
                with workspace.sessions() as session:
                    pending = session.scalar(
                        select(func.count()).where(
                            ReferralFile.sha256.is_not(None), ReferralFile.media_status.is_(None)
                        )
                    )
                    matched = session.scalar(
                        select(func.count()).where(Media.matched_at.is_not(None))
                    )
            finally:
                workspace.close()
            if pending == 0:
                break
            assert time.monotonic() < deadline, f"{name}: {pending} files still unprocessed"
            time.sleep(1)
        assert matched, f"{name}: no media item analysed and matched"


def _outbox_package(nodes: dict[str, Node], agency: str, folder: Path) -> Path:
    coordinator = nodes["europol"]
    workspace = Workspace.open(coordinator.home)
    try:
        with workspace.sessions() as session:
            first = session.scalar(select(Referral.id).where(Referral.agency == agency))
    finally:
        workspace.close()
    grace(coordinator, "send", "--referral", str(first), "--outbox", str(folder))
    return next((folder / agency).glob("*.zip"))


def _rewrite(data: bytes, change: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, change.get(name, src.read(name)))
    return out.getvalue()


def _refusals(nodes: dict[str, Node], tmp_path: Path) -> None:
    de = nodes["de-bka"]
    before = _count(de)
    legit = _outbox_package(nodes, "de-bka", tmp_path / "out").read_bytes()
    resent = tmp_path / "resent.zip"
    resent.write_bytes(legit)
    receipts = grace_json(de, "receive", str(resent))
    assert isinstance(receipts, list) and receipts[0]["status"] == "already_present"
    filed = tmp_path / "receipts.json"
    filed.write_text(json.dumps(receipts), encoding="utf-8")
    answer = grace_json(nodes["europol"], "exchange", "receipts", str(filed))
    assert isinstance(answer, list) and answer[0]["status"] == "filed", answer
    forged = dict(receipts[0], receiver_referral_id=999)  # altered after signing
    filed.write_text(json.dumps([forged]), encoding="utf-8")
    refused = grace(nodes["europol"], "exchange", "receipts", str(filed), "--json", ok=False)
    assert refused.returncode == 1 and "bad signature" in refused.stdout
    with zipfile.ZipFile(io.BytesIO(legit)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = {n: archive.read(n) for n in archive.namelist() if "manifest" not in n}
    media = next(n for n in members if "/media/" in n)
    coordinator_ws = Workspace.open(nodes["europol"].home)
    try:
        europol = load_node(coordinator_ws)
    finally:
        coordinator_ws.close()
    rogue = NodeId("europol", "europol", Ed25519PrivateKey.generate())
    recipient, about = manifest["recipient"], manifest["about"]
    cases = {
        "tampered": (_rewrite(legit, {media: members[media][:-1] + b"\x00"}), "tampered member"),
        "unknown_key": (package.build(rogue, "referral", recipient, members, about), "unknown key"),
        "replay_id": (
            package.build(europol, "referral", recipient, members, about, manifest["package_id"]),
            "replay",
        ),
        "replay_old": (
            package.build(
                europol,
                "referral",
                recipient,
                members,
                about,
                created_at=datetime.now(UTC) - timedelta(days=90),
            ),
            "replay",
        ),
        "other_agency": (
            _outbox_package(nodes, "nl-police", tmp_path / "out2").read_bytes(),
            "addressed to agency nl-police",
        ),
    }
    for label, (data, reason) in cases.items():
        path = tmp_path / f"{label}.zip"
        path.write_bytes(data)
        done = grace(de, "receive", str(path), "--json", ok=False)
        assert done.returncode == 1, label
        receipt = json.loads(done.stdout)[0]
        assert receipt["status"] == "quarantined" and reason in receipt["reason"], (label, receipt)
        assert "\n" not in receipt["reason"]
    # over HTTP, a wrong token is refused before the package is read
    answer = httpx.post(
        f"{de.url}/api/v1/exchange/inbox",
        content=legit,
        headers={"X-Grace-Node": "europol", "Authorization": "Bearer wrong"},
    )
    assert answer.status_code == 401
    assert _count(de) == before


def _outcomes(nodes: dict[str, Node]) -> None:
    de, nl, coordinator = nodes["de-bka"], nodes["nl-police"], nodes["europol"]
    grace(de, "outcome", "1", "arrest_or_search")
    assert "needs --reason" in grace(nl, "outcome", "1", "not_actionable", ok=False).stderr
    grace(nl, "outcome", "1", "not_actionable", "--reason", "account already closed")
    for node in (de, nl):
        result = grace_json(node, "send", "--outcomes")
        assert isinstance(result, dict) and result["sent"] == 1 and result["failed"] == 0
    stats = grace_json(coordinator, "stats")
    assert isinstance(stats, dict)
    outcomes = stats["outcomes"]
    assert outcomes["total"] == {"arrest_or_search": 1, "not_actionable": 1}
    assert outcomes["by_agency"] == {
        "de-bka": {"arrest_or_search": 1},
        "nl-police": {"not_actionable": 1},
    }
    assert outcomes["median_days_to_outcome"] is not None


def test_bank_shared_by_de_bka_matches_at_nl_police(nodes: dict[str, Node], tmp_path: Path) -> None:
    de, nl, coordinator = nodes["de-bka"], nodes["nl-police"], nodes["europol"]
    if not _count(nl):
        grace_json(coordinator, "send")
    batch = next(coordinator.home.parent.glob("batch/hashsets/*.vics.json"))
    grace(de, "hashset", "import", str(batch), "--name", "de-known")
    first = grace_json(de, "share", "publish", "de-known")
    assert isinstance(first, dict) and first["version"] == 1 and first["added"] > 0
    # de-bka then grades one file nl-police holds: version 2 adds it
    workspace = Workspace.open(nl.home, nl.database_url)
    try:
        with workspace.sessions() as session:
            sha = session.scalar(
                select(ReferralFile.sha256).where(ReferralFile.sha256.is_not(None))
            )
            assert sha is not None
            media = tmp_path / "held-by-nl.bin"
            media.write_bytes(workspace.vault.get(sha))
    finally:
        workspace.close()
    graded = tmp_path / "graded.csv"
    graded.write_text(f"sha256,category\n{sha},1\n", encoding="utf-8")
    grace(de, "hashset", "import", str(graded), "--name", "de-known")
    second = grace_json(de, "share", "publish", "de-known")
    assert isinstance(second, dict) and second["version"] == 2 and second["added"] == 1
    # a subscriber that skips version 1 is told about the gap, nothing applied
    gap = grace(coordinator, "share", "apply", second["path"], ok=False)
    assert gap.returncode == 1 and "gap" in gap.stderr and "apply versions 1..1 first" in gap.stderr
    pulled = grace_json(nl, "share", "pull", "de-bka")
    assert isinstance(pulled, list) and [r["version"] for r in pulled] == [1, 2]
    assert pulled[0]["added"] == first["added"] and pulled[1]["added"] == 1
    assert grace_json(nl, "share", "pull", "de-bka") == []  # nothing newer
    found = grace_json(nl, "match", str(media), "--bank", "de-known@de-bka", "--banks-only")
    text_found = json.dumps(found)
    assert "de-known@de-bka" in text_found and sha in text_found
    # de-bka holds an entry once one node disputes it (threshold lowered from 3 for the test)
    grace(de, "hashset", "guard", "de-known", "--disputes", "1")
    vote = grace_json(
        nl, "hashset", "vote", f"sha256:{sha}", "dispute", "--reason", "a logo, not the graded file"
    )
    assert isinstance(vote, dict) and vote["bank"] == "de-known@de-bka"
    assert vote["sent"]["delivery"] == "delivered" and vote["sent"]["receipt_ok"]
    counts = grace_json(de, "share", "votes", "de-known")
    assert isinstance(counts, dict)
    assert counts[f"sha256:{sha}"]["dispute"] == 1
    assert "nl-police: a logo" in counts[f"sha256:{sha}"]["reasons"][0]
    holds = grace_json(de, "hashset", "holds")
    assert isinstance(holds, list) and [h["reason"] for h in holds] == ["disputed"]
    # the publisher's matching no longer alerts from it: the hit says why it is held
    at_de = grace_json(de, "match", str(media), "--bank", "de-known", "--banks-only")
    assert "disputed by 1 node(s) (nl-police)" in json.dumps(at_de)
    grace(de, "hashset", "review", str(holds[0]["entry_id"]), "--reinstate", "--note", "graded")
    assert grace_json(de, "hashset", "holds") == []
    for node in (de, nl):
        grace(node, "vault", "verify")
        grace(node, "audit", "verify")
