"""A coordinator and two agencies that deconflicted for real, for the desk's alert tests.

The coordinator is served on loopback (a thread of this process); nl-police and de-bka
ingest invented referrals with planted shared subjects (``grace.deconflict.synthetic``),
join, sync (blind, evaluate, unblind, upload; small batches, so that each round's batches
run in the node's worker processes) and pull their alerts. On nl-police's node,
the referrals are routed half to nl-police and half to be-fjp (another agency on the same
node), so that scope shows: nina (analyst, nl-police), kim (analyst, be-fjp), root (admin).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from exchange_world import serving
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.deconflict import coordinator
from grace.deconflict.nodes import add_node
from grace.deconflict.sync import join, node_key, sync
from grace.deconflict.synthetic import generate, plaintext_links
from grace.ingest.pipeline import IngestPipeline
from grace.model import Referral as ReferralModel
from grace.store.tables import Referral
from grace.web import create_app
from grace.workspace import Workspace

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "benign-deconflict-password"
AGENCIES = ["nl-police", "de-bka"]
USERS = {"nina": ("analyst", "nl-police"), "kim": ("analyst", "be-fjp"), "root": ("admin", None)}


@dataclass
class DeconflictWorld:
    nl: Workspace
    url: str  # nl-police's desk
    links: set[tuple[str, str, str, str, str]]  # plaintext linkage of the planted subjects
    agency_of: dict[int, str]  # nl's referral id -> agency it is routed to
    identifiers: set[str]  # nl-police's reported e-mails, phones and screen names, as written
    tokens: dict[str, str] = field(default_factory=dict)

    def as_token(self, username: str) -> TestClient:
        client = TestClient(create_app(self.nl))
        client.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return client

    def signed_in(self, username: str) -> TestClient:
        client = TestClient(create_app(self.nl))
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return client


def ingest_referrals(workspace: Workspace, inbox: Path, referrals: list[ReferralModel]) -> None:
    """Write each synthetic referral as an inbox folder and ingest them all."""
    for item in referrals:
        folder = inbox / str(item.external_id)
        folder.mkdir(parents=True)
        (folder / "referral.json").write_text(item.model_dump_json(exclude_none=True))
    assert IngestPipeline(workspace).run([inbox]).ok


@contextmanager
def deconflicted(root: Path, nl_url: str | None = None) -> Iterator[DeconflictWorld]:
    """Coordinator (SQLite) and agencies synced; nl-police's database at ``nl_url``."""
    coord = Workspace.init(root / "coordinator")
    coordinator.setup(coord, "test")
    data = generate(AGENCIES, 24, 8)
    spaces = {
        "nl-police": Workspace.init(root / "nl-police", nl_url),
        "de-bka": Workspace.init(root / "de-bka"),
    }
    try:
        with serving(coord) as coord_url:
            for name, workspace in spaces.items():
                key = node_key(workspace)["public_key"].encode()
                add_node(coord, name, key, "test", rate_per_hour=100_000)
                ingest_referrals(workspace, root / f"inbox-{name}", data[name])
                join(workspace, coord_url, name)
                report = sync(workspace, batch=16)  # several batches: the worker pool's path
                assert report.batches > 1 and report.tokens > 0
            sync(spaces["nl-police"])  # alerts raised by de-bka's later upload
        nl = spaces["nl-police"]
        with nl.sessions.begin() as session:
            ids = sorted(session.scalars(select(Referral.id)))
            agency_of = {i: ("nl-police" if n % 2 == 0 else "be-fjp") for n, i in enumerate(ids)}
            for referral_id, agency in agency_of.items():
                session.execute(
                    update(Referral).where(Referral.id == referral_id).values(agency=agency)
                )
            tokens = {}
            for username, (role, scope) in USERS.items():
                add_user(session, username, PASSWORD, role, scope)
                tokens[username] = create_token(session, username, "test")[1]
        with serving(nl) as url:
            found = [
                value
                for item in data["nl-police"]
                for party in item.parties
                for value in (*party.emails, *party.phones, party.screen_name)
                if value
            ]
            yield DeconflictWorld(nl, url, plaintext_links(data), agency_of, set(found), tokens)
    finally:
        for workspace in (*spaces.values(), coord):
            workspace.close()
