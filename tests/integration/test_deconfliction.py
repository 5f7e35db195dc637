"""Deconfliction on loopback: a coordinator and three agencies, each its own workspace and
``grace serve`` process (one agency on PostgreSQL), talking only through signed HTTP.

Planted subjects appear at two or three agencies, spelled as real data varies. The OPRF
alerts are scored against plaintext linkage of the same normal forms; the coordinator's
database, files and log are searched for every planted identifier in every form; a node over
its rate limit is refused; a revoked node's tokens stop matching; PSI counts the overlap.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.audit.chain import AuditEvent
from grace.deconflict.canonical import strong_set
from grace.deconflict.nodes import add_node
from grace.deconflict.sync import node_key
from grace.deconflict.synthetic import filler_party, generate, plaintext_links, referral
from grace.ingest.pipeline import IngestPipeline
from grace.intel.identifiers import extract_identifiers
from grace.model import Referral as ReferralModel
from grace.store.deconflict_tables import DeconflictRef
from grace.store.tables import Referral
from grace.workspace import Workspace
from pg import admin_url, throwaway_database

GRACE = [sys.executable, "-m", "grace.cli.main"]
AGENCIES = ["nl-police", "de-bka", "fr-ocrvp"]
PER_AGENCY, SUBJECTS = 40, 30
os.environ.setdefault("GRACE_PASSWORD_HASH_PROFILE", "test")


@dataclass
class Node:
    name: str
    home: Path
    url: str = ""
    database_url: str | None = None
    data: list[ReferralModel] = field(default_factory=list, repr=False)


@dataclass
class Network:
    coordinator: Node
    agencies: dict[str, Node]
    log: Path
    links: set[tuple[str, str, str, str, str]] = field(repr=False)
    batches: int


def grace(node: Node, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRACE_HOME": str(node.home)}
    if node.database_url:
        env["GRACE_DATABASE_URL"] = node.database_url
    done = subprocess.run([*GRACE, *args], capture_output=True, text=True, env=env, timeout=180)
    if ok:
        assert done.returncode == 0, f"{args}: {done.stderr[-1500:]}"
    return done


def _start(node: Node, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GRACE_HOME": str(node.home)}
    if node.database_url:
        env["GRACE_DATABASE_URL"] = node.database_url
    return subprocess.Popen([*GRACE, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _key(node: Node) -> str:
    workspace = Workspace.open(node.home, node.database_url)
    try:
        return node_key(workspace)["public_key"]
    finally:
        workspace.close()


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ingest(node: Node, referrals: list[ReferralModel], inbox: Path) -> None:
    for item in referrals:
        folder = inbox / str(item.external_id)
        folder.mkdir(parents=True)
        (folder / "referral.json").write_text(item.model_dump_json(exclude_none=True))
    workspace = Workspace.open(node.home, node.database_url)
    try:
        assert IngestPipeline(workspace).run([inbox]).ok
    finally:
        workspace.close()


def _serve(node: Node, log: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    port = _port()
    env = {**os.environ, "GRACE_HOME": str(node.home)}
    if node.database_url:
        env["GRACE_DATABASE_URL"] = node.database_url
    with log.open("ab") as out:
        procs.append(subprocess.Popen([*GRACE, "serve", "--port", str(port)], env=env,
                                      stdout=out, stderr=subprocess.STDOUT))  # fmt: skip
    node.url = f"http://127.0.0.1:{port}"


def _wait(url: str) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not start")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str | None]:
    """A uniquely named PostgreSQL database for one agency, dropped afterwards (CI requires
    it; without GRACE_TEST_DATABASE_URL locally, that agency uses SQLite like the others)."""
    if not admin_url() and os.environ.get("GRACE_REQUIRE_POSTGRES") != "1":
        yield None
        return
    with throwaway_database("deconflict") as url:
        yield url


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory, pg_url: str | None) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("deconflict")
    data = generate(AGENCIES, PER_AGENCY, SUBJECTS)
    coordinator = Node("coordinator", root / "coordinator")
    agencies = {a: Node(a, root / a, data=data[a]) for a in AGENCIES}
    agencies["de-bka"].database_url = pg_url
    for node in [coordinator, *agencies.values()]:
        Workspace.init(node.home, node.database_url).close()
    for node in agencies.values():
        _ingest(node, node.data, root / f"inbox-{node.name}")
    grace(coordinator, "deconflict", "coordinator", "init")
    log = root / "coordinator.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        _serve(coordinator, log, procs)
        for node in agencies.values():
            _serve(node, root / f"{node.name}.log", procs)
        for node in [coordinator, *agencies.values()]:
            _wait(node.url)
        coordinator_ws = Workspace.open(coordinator.home)
        try:
            for node in agencies.values():
                key = _key(node)
                add_node(coordinator_ws, node.name, key.encode(), "test")
        finally:
            coordinator_ws.close()
        for node in agencies.values():
            grace(node, "deconflict", "join", coordinator.url, "--as", node.name)
        syncs = [_start(node, "deconflict", "sync", "--batch", "64", "--json")
                 for node in agencies.values()]  # fmt: skip
        batches = 0
        for proc in syncs:  # the three agencies sync at once
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err[-1500:]
            report = json.loads(out)
            assert report["referrals"] == PER_AGENCY
            batches += report["batches"]
        yield Network(coordinator, agencies, log, plaintext_links(data), batches)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _external_ids(node: Node) -> tuple[dict[int, str], dict[str, str]]:
    """(referral id -> external id, opaque ref -> external id) of one agency."""
    engine = Workspace.open(node.home, node.database_url)
    try:
        with engine.sessions() as session:
            ids = dict(session.execute(select(Referral.id, Referral.external_id)).all())
            refs = dict(session.execute(select(DeconflictRef.ref, DeconflictRef.referral_id)).all())
    finally:
        engine.close()
    return {k: str(v) for k, v in ids.items()}, {r: str(ids[i]) for r, i in refs.items()}


def _alerts(network: Network) -> set[tuple[str, str, str, str, str]]:
    ids = {name: _external_ids(node) for name, node in network.agencies.items()}
    found = set()
    for name, node in network.agencies.items():
        for notice in json.loads(grace(node, "deconflict", "alerts", "--json").stdout):
            assert notice["text"].startswith(f"your referral {notice['referral_id']} shares ")
            other = notice["other_node"]
            found.add((name, ids[name][0][notice["referral_id"]], other,
                       ids[other][1][notice["other_ref"]], notice["kind"]))  # fmt: skip
    return found


def check_alerts_match_plaintext_linkage(network: Network) -> None:
    assert len(network.links) >= 40  # the plant worked: every kind is linked somewhere
    assert {link[4] for link in network.links} >= {"email", "phone", "esp_user_id"}
    alerts = _alerts(network)
    true = alerts & network.links
    recall, precision = len(true) / len(network.links), len(true) / max(len(alerts), 1)
    assert recall >= 0.99, sorted(network.links - alerts)[:5]
    assert precision == 1.0, sorted(alerts - network.links)[:5]


def check_desk_api_lists_notices(network: Network) -> None:
    node = network.agencies["nl-police"]
    workspace = Workspace.open(node.home)
    try:
        with workspace.sessions.begin() as session:
            add_user(session, "deconflict-admin", "correct-horse-battery", "admin", None)
            _row, secret = create_token(session, "deconflict-admin")
    finally:
        workspace.close()
    request = urllib.request.Request(f"{node.url}/api/v1/deconflict/notices",
                                     headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    notices = json.loads(urllib.request.urlopen(request, timeout=10).read())["notices"]
    expected = {link for link in network.links if link[0] == "nl-police"}
    assert len(notices) == len(expected)
    assert all("contact them through the usual channel" in n["text"] for n in notices)


def _forms(network: Network) -> set[str]:
    """Every planted identifier as written, as normalised, and as its token input value."""
    forms: set[str] = set()
    for node in network.agencies.values():
        for item in node.data:
            for found in extract_identifiers(item):
                forms |= {found.raw.strip(), found.value, found.value.lower()}
                if found.kind == "phone":
                    forms.add(found.value.lstrip("+"))
            forms |= {value for _kind, value in strong_set(extract_identifiers(item))}
    return {form for form in forms if len(form) >= 6}


def check_coordinator_keeps_no_identifier(network: Network) -> None:
    home = network.coordinator.home
    engine = create_engine(f"sqlite:///{home / 'grace.db'}")
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        dump = "\n".join(raw.iterdump())
        events = (
            conn.execute(text("SELECT action || ' ' || details FROM audit_events")).scalars().all()
        )
    engine.dispose()
    haystacks = {"database dump": dump.lower(), "audit trail": " ".join(map(str, events)).lower()}
    for path in [network.log, *home.rglob("*")]:
        if path.is_file():
            haystacks[str(path)] = path.read_bytes().decode("utf-8", "replace").lower()
    forms = _forms(network)
    assert len(forms) > 200
    searched = (
        'INSERT INTO "deconflict_tokens"' in dump,
        any("deconflict.evaluate" in str(e) for e in events),
    )
    assert searched == (True, True)  # the haystacks hold what the coordinator keeps
    leaks = [(f, where) for f in forms for where, hay in haystacks.items() if f.lower() in hay]
    assert leaks == []


def check_every_evaluation_is_audited(network: Network) -> None:
    workspace = Workspace.open(network.coordinator.home)
    try:
        with workspace.sessions() as session:
            actions = session.scalars(
                select(AuditEvent.action).where(AuditEvent.action == "deconflict.evaluate")
            ).all()
    finally:
        workspace.close()
    assert len(actions) == network.batches


def check_node_over_its_rate_limit_is_refused(network: Network, tmp_path: Path) -> None:
    rogue = Node("rogue-unit", tmp_path / "rogue")
    Workspace.init(rogue.home).close()
    _ingest(rogue, [referral("rogue", n, [filler_party("rogue", n)]) for n in range(5)],
            tmp_path / "inbox")  # fmt: skip
    key = json.loads(grace(rogue, "deconflict", "key", "--json").stdout)["public_key"]
    grace(network.coordinator, "deconflict", "nodes", "add", rogue.name, "--key", key,
          "--rate", "4")  # fmt: skip
    grace(rogue, "deconflict", "join", network.coordinator.url, "--as", rogue.name)
    done = grace(rogue, "deconflict", "sync", ok=False)
    assert done.returncode == 1 and "429" in done.stderr and "rate limit" in done.stderr


def check_overlap_counts_shared_identifiers(network: Network) -> None:
    nl, de = network.agencies["nl-police"], network.agencies["de-bka"]
    for me, peer in ((nl, de), (de, nl)):
        key = _key(peer)
        grace(me, "deconflict", "nodes", "add", peer.name, "--key", key, "--url", peer.url)
    result = json.loads(grace(nl, "deconflict", "overlap", "de-bka", "--json").stdout)

    def held(node: Node) -> set[str]:
        return {f"{k}:{v}" for r in node.data for k, v in strong_set(extract_identifiers(r))}

    assert result["shared"] == len(held(nl) & held(de)) > 0
    assert result["mine"] == len(held(nl))


def check_revoked_node_stops_matching(network: Network, tmp_path: Path) -> None:
    """Runs last in this module: it revokes fr-ocrvp for good."""
    nl, de, fr = (network.agencies[a] for a in AGENCIES)
    grace(network.coordinator, "deconflict", "nodes", "revoke", fr.name)
    shares_fr = next(r for r in fr.data if r.external_id and "R0" in r.external_id
                     and r.parties[0].emails and "only" in r.parties[0].emails[0])  # fmt: skip
    shares_de = next(r for r in de.data if r.parties[0].emails and "only" in r.parties[0].emails[0])
    new = [referral("nl-police", 900 + i, [r.parties[0].model_copy()])
           for i, r in enumerate((shares_fr, shares_de))]  # fmt: skip
    _ingest(nl, new, tmp_path / "inbox")
    grace(nl, "deconflict", "sync")
    notices = json.loads(grace(nl, "deconflict", "alerts", "--json").stdout)
    ids, _refs = _external_ids(nl)
    about = {ids[n["referral_id"]]: n["other_node"] for n in notices}
    assert about.get("nl-police-R00901") == "de-bka"  # the control still matches
    assert "nl-police-R00900" not in about  # fr-ocrvp's token no longer does
    refused = grace(fr, "deconflict", "sync", ok=False)
    assert refused.returncode == 1 and "revoked" in refused.stderr


def test_deconfliction_on_loopback(network: Network, tmp_path: Path) -> None:
    """One test, so that one network serves every check in order (revocation last)."""
    check_alerts_match_plaintext_linkage(network)
    check_desk_api_lists_notices(network)
    check_coordinator_keeps_no_identifier(network)
    check_every_evaluation_is_audited(network)
    check_node_over_its_rate_limit_is_refused(network, tmp_path / "rate")
    check_overlap_counts_shared_identifiers(network)
    check_revoked_node_stops_matching(network, tmp_path / "revoke")
