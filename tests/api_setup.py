"""A desk workspace for the API tests: benign referrals of two agencies, scored, with one
account per role, and clients signed in by cookie or by token."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update

from builders import write_grace_bundle
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.ingest.pipeline import IngestPipeline
from grace.store.tables import Referral
from grace.triage.service import run_triage
from grace.web import create_app
from grace.workspace import Workspace

# argon2 at full strength takes about a second per hash on a busy CI machine
os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "benign-test-password"
AGENCY_A = "nl-police"
AGENCY_B = "de-bka"
# referral ids 1-3 go to agency A, 4-5 to agency B, 6 to the coordinator
AGENCIES = {1: AGENCY_A, 2: AGENCY_A, 3: AGENCY_A, 4: AGENCY_B, 5: AGENCY_B, 6: "europol"}
USERS = {
    "admin": ("admin", None),
    "ana": ("analyst", AGENCY_A),
    "sup": ("supervisor", AGENCY_A),
    "bert": ("analyst", AGENCY_B),
    "coord": ("analyst", "europol"),
    "audi": ("auditor", None),
}


@dataclass
class Desk:
    workspace: Workspace
    tokens: dict[str, str]

    def client(self) -> TestClient:
        return TestClient(create_app(self.workspace))

    def as_token(self, username: str) -> TestClient:
        client = self.client()
        client.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return client

    def signed_in(self, username: str) -> tuple[TestClient, str]:
        """A client with a session cookie, and the session's CSRF token."""
        client = self.client()
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return client, str(response.json()["csrf_token"])

    def sha_of(self, referral_id: int) -> str:
        with self.workspace.sessions() as session:
            referral = session.get(Referral, referral_id)
            assert referral is not None
            sha = referral.files[0].sha256
        assert sha is not None
        return sha


def build_desk(workspace: Workspace, tmp: Path) -> Desk:
    inbox = tmp / "inbox"
    inbox.mkdir()
    for n in range(len(AGENCIES)):
        write_grace_bundle(inbox, n, images=1)
    assert IngestPipeline(workspace).run([inbox]).ok
    with workspace.sessions.begin() as session:
        for referral_id, agency in AGENCIES.items():
            session.execute(
                update(Referral).where(Referral.id == referral_id).values(agency=agency)
            )
    run_triage(workspace, "rules_v1", "test")
    tokens = {}
    with workspace.sessions.begin() as session:
        for username, (role, agency) in USERS.items():
            add_user(session, username, PASSWORD, role, agency)
            tokens[username] = create_token(session, username, "test")[1]
    return Desk(workspace, tokens)
