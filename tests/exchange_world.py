"""Two grace nodes exchanging referrals the real way, for the desk's exchange tests.

The coordinator (europol) ingests six benign referrals (1-3 routed to nl-police, 4-5 to
de-bka, 6 its own), pins nl-police (served over HTTP on loopback, in a thread) and de-bka
(no URL: its packages go to an outbox folder), and sends. nl-police receives over HTTP,
quarantines the de-bka package handed to it by mistake, reports ``already_present`` for
referral 1 sent again, and its received referrals are routed to its own agency (as
``grace route`` would). Each node has desk users of its agency, another agency, and the
coordinator.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import update

from builders import write_grace_bundle
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.exchange.node import load_node, set_node
from grace.exchange.peers import add_peer, set_send_token
from grace.exchange.receive import receive
from grace.exchange.send import send_referrals
from grace.exports.signing import public_pem
from grace.ingest.pipeline import IngestPipeline
from grace.store.tables import Referral
from grace.web import create_app
from grace.workspace import Workspace
from net import free_port

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "benign-exchange-password"
ROUTED = {1: "nl-police", 2: "nl-police", 3: "nl-police", 4: "de-bka", 5: "de-bka", 6: "europol"}
USERS = {  # the same accounts on both nodes
    "nina": ("analyst", "nl-police"),
    "dirk": ("analyst", "de-bka"),
    "coord": ("analyst", "europol"),
}


@dataclass
class Node:
    workspace: Workspace
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self) -> TestClient:
        return TestClient(create_app(self.workspace))

    def as_token(self, username: str) -> TestClient:
        client = self.client()
        client.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return client

    def signed_in(self, username: str) -> tuple[TestClient, str]:
        client = self.client()
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return client, str(response.json()["csrf_token"])


@dataclass
class World:
    europol: Node
    nl: Node
    outbox: Path


@contextmanager
def serving(workspace: Workspace) -> Iterator[str]:
    """The node's app (inbox included) on a loopback port, in a thread of this process."""
    port = free_port()
    config = uvicorn.Config(create_app(workspace), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _users(workspace: Workspace) -> dict[str, str]:
    tokens = {}
    with workspace.sessions.begin() as session:
        for username, (role, agency) in {**USERS, "root": ("admin", None)}.items():
            add_user(session, username, PASSWORD, role, agency)
            tokens[username] = create_token(session, username, "test")[1]
    return tokens


@contextmanager
def two_nodes(europol_ws: Workspace, nl_ws: Workspace, root: Path) -> Iterator[World]:
    inbox = root / "inbox"
    inbox.mkdir()
    for n in range(len(ROUTED)):
        write_grace_bundle(inbox, n, images=1)
    assert IngestPipeline(europol_ws).run([inbox]).ok
    with europol_ws.sessions.begin() as session:
        for referral_id, agency in ROUTED.items():
            session.execute(
                update(Referral).where(Referral.id == referral_id).values(agency=agency)
            )
    set_node(europol_ws, "europol", "europol", "test")
    set_node(nl_ws, "nl-police", "nl-police", "test")
    pem = {
        n: public_pem(load_node(w).key.public_key()) for n, w in (("eu", europol_ws), ("nl", nl_ws))
    }
    outbox = root / "outbox"
    with serving(europol_ws) as eu_url, serving(nl_ws) as nl_url:
        _, nl_presents = add_peer(europol_ws, "nl-police", pem["nl"], "test", nl_url, "nl-police")
        _, eu_presents = add_peer(
            nl_ws, "europol", pem["eu"], "test", eu_url, "europol", send_token=nl_presents
        )
        set_send_token(europol_ws, "nl-police", eu_presents, "test")
        de_key = public_pem(Ed25519PrivateKey.generate().public_key())
        add_peer(europol_ws, "de-bka", de_key, "test", None, "de-bka")
        sent = send_referrals(europol_ws, "user:coord", agencies=["nl-police"])
        assert {s.delivery for s in sent} == {"delivered"} and all(s.receipt_ok for s in sent)
        parked = send_referrals(europol_ws, "user:coord", agencies=["de-bka"], outbox=outbox)
        assert {s.delivery for s in parked} == {"outbox"}
        stray = next((outbox / "de-bka").glob("*.zip")).read_bytes()  # misdelivered by hand
        refused = receive(nl_ws, stray, "file:stray.zip", "test")
        assert refused["status"] == "quarantined"
        again = send_referrals(europol_ws, "user:coord", ids=[1])
        assert again[0].receipt and again[0].receipt["status"] == "already_present"
        with nl_ws.sessions.begin() as session:  # routed here, as `grace route` would
            session.execute(update(Referral).values(agency="nl-police"))
        world = World(Node(europol_ws, eu_url), Node(nl_ws, nl_url), outbox)
        world.europol.tokens = _users(europol_ws)
        world.nl.tokens = _users(nl_ws)
        yield world
