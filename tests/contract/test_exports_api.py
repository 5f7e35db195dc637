"""/api/v1/exports through the real app, accounts and tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from export_data import KNOWN, NEW_A, ExportData, populate
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.banks import read_vics
from grace.exports import verify_package
from grace.media.analyse import analyse_bytes
from grace.store.tables import AuditEvent
from grace.web.app import create_app
from grace.workspace import Workspace

USERS = {  # username: (role, agency); filled with the referrals' agencies per test
    "de_analyst": ("analyst", "DE"),
    "de_analyst2": ("analyst", "DE"),
    "de_super": ("supervisor", "DE"),
    "fr_super": ("supervisor", "FR"),
    "fr_analyst": ("analyst", "FR"),
    "eu_analyst": ("analyst", "europol"),
    "root": ("admin", None),
    "auditor": ("auditor", None),
}

BAD_PAYLOADS: list[dict[str, object]] = [
    {"referral_ids": []},
    {"referral_ids": ["abc"]},
    {"referral_ids": [2**40]},
    {"referral_ids": [0]},
    {"referral_ids": list(range(1, 502))},
    {"referral_ids": [1], "extra": 1},
    {"referral_ids": [1], "all_files": "maybe"},
    {"referral_ids": [1], "file_ids": [-1]},
    {},
]


class Tokens(dict[str, dict[str, str]]):
    """Bearer headers per user, each account made on first use (argon2 hashing is slow)."""

    def __init__(self, workspace: Workspace, agencies: dict[str, str]) -> None:
        super().__init__()
        self.workspace, self.agencies = workspace, agencies

    def __missing__(self, name: str) -> dict[str, str]:
        role, agency = USERS[name]
        with self.workspace.sessions.begin() as session:
            add_user(session, name, "correct horse battery", role, self.agencies.get(agency or ""))
            self[name] = {"Authorization": f"Bearer {create_token(session, name)[1]}"}
        return self[name]


Desk = tuple[TestClient, ExportData, Tokens]


@pytest.fixture
def desk(workspace: Workspace, tmp_path: Path) -> Desk:
    data = populate(workspace, tmp_path)
    agencies = {"DE": data.de_agency, "FR": data.fr_agency, "europol": "europol"}
    return TestClient(create_app(workspace)), data, Tokens(workspace, agencies)


def _events(workspace: Workspace, action: str) -> list[AuditEvent]:
    with workspace.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def test_package_create_download_and_who_may_fetch_it(
    desk: Desk,
    workspace: Workspace,
    tmp_path: Path,
) -> None:
    client, data, auth = desk
    made = client.post(
        "/api/v1/exports", json={"referral_ids": [data.de]}, headers=auth["de_analyst"]
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert set(body) == {
        "id",
        "download_url",
        "manifest_sha256",
        "referral_ids",
        "files",
        "excluded",
        "not_in_vault",
        "signer_fingerprint",
        "size",
    }
    assert body["download_url"] == f"/api/v1/exports/{body['id']}"
    assert (body["referral_ids"], body["files"], body["excluded"]) == ([data.de], 1, 1)
    got = client.get(body["download_url"], headers=auth["de_analyst"])
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    saved = tmp_path / "download.zip"
    saved.write_bytes(got.content)
    report = verify_package(saved)
    assert report.ok and report.manifest_sha256 == body["manifest_sha256"]
    with zipfile.ZipFile(saved) as archive:
        assert NEW_A in [archive.read(n) for n in archive.namelist()]
    for user, status in (("de_analyst2", 404), ("fr_super", 404), ("de_super", 200), ("root", 200)):
        assert client.get(body["download_url"], headers=auth[user]).status_code == status, user
    exports = [e for e in _events(workspace, "export") if e.object_type == "export_package"]
    assert [(e.actor, e.object_id) for e in exports] == [("user:de_analyst", body["id"])]
    assert exports[0].details["manifest_sha256"] == body["manifest_sha256"]
    downloads = _events(workspace, "download")
    assert [e.actor for e in downloads] == ["user:de_analyst", "user:de_super", "user:root"]


def test_out_of_scope_referrals_read_as_missing(desk: Desk, workspace: Workspace) -> None:
    client, data, auth = desk
    for ids in ([data.fr], [data.de, data.fr]):
        refused = client.post(
            "/api/v1/exports", json={"referral_ids": ids}, headers=auth["de_analyst"]
        )
        assert (
            refused.status_code == 404
            and refused.json()["error"] == f"no referral with id {data.fr}"
        )
    assert (
        client.post(
            "/api/v1/exports", json={"referral_ids": [999]}, headers=auth["root"]
        ).status_code
        == 404
    )
    everything = client.post(
        "/api/v1/exports",
        json={"referral_ids": [data.de, data.fr], "all_files": True},
        headers=auth["eu_analyst"],
    )
    assert everything.status_code == 201 and everything.json()["files"] == 3
    assert (
        client.post(
            "/api/v1/exports", json={"referral_ids": [data.de]}, headers=auth["auditor"]
        ).status_code
        == 403
    )
    assert len([e for e in _events(workspace, "export") if e.object_type == "export_package"]) == 1


def test_bad_input_and_no_credentials(
    desk: Desk,
) -> None:
    client, data, auth = desk
    for payload in BAD_PAYLOADS:
        got = client.post("/api/v1/exports", json=payload, headers=auth["root"])
        assert got.status_code == 422 and got.json()["error"].startswith("invalid request"), payload
    assert client.get("/api/v1/exports/../../vault.key", headers=auth["root"]).status_code == 404
    assert client.get("/api/v1/exports/nothex", headers=auth["root"]).status_code == 422
    assert client.get("/api/v1/exports/" + "0" * 32, headers=auth["root"]).status_code == 404
    assert client.post("/api/v1/exports", json={"referral_ids": [data.de]}).status_code == 401
    assert client.get("/api/v1/exports/vics").status_code == 401
    wrong_file = client.post(
        "/api/v1/exports",
        json={"referral_ids": [data.de], "file_ids": [data.known_file + 100]},
        headers=auth["root"],
    )
    assert wrong_file.status_code == 422 and "not in these referrals" in wrong_file.json()["error"]


def test_vics_is_scoped_and_parses(desk: Desk, workspace: Workspace) -> None:
    client, _, auth = desk
    got = client.get("/api/v1/exports/vics", headers=auth["de_analyst"])
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"
    entries = read_vics(got.content).entries
    assert [(e.md5, e.category.code if e.category else None) for e in entries] == [
        (analyse_bytes(KNOWN).md5, "1")
    ]
    assert (
        read_vics(client.get("/api/v1/exports/vics", headers=auth["fr_analyst"]).content).entries
        == []
    )
    assert client.get("/api/v1/exports/vics", headers=auth["auditor"]).status_code == 403
    vics_events = [e for e in _events(workspace, "export") if e.object_type == "vics"]
    assert [(e.actor, e.details["media"]) for e in vics_events] == [
        ("user:de_analyst", 1),
        ("user:fr_analyst", 0),
    ]


def test_queue_csv_is_scoped(desk: Desk, workspace: Workspace) -> None:
    client, data, auth = desk

    def ids(user: str, query: str = "") -> list[int]:
        got = client.get(f"/api/v1/exports/queue.csv{query}", headers=auth[user])
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        return [int(row["id"]) for row in csv.DictReader(io.StringIO(got.text))]

    assert ids("de_analyst") == [data.de]
    assert ids("de_analyst", f"?agency={data.fr_agency}") == []
    assert sorted(ids("eu_analyst")) == sorted([data.de, data.fr])
    assert ids("root", f"?agency={data.fr_agency}") == [data.fr]
    assert (
        client.get(
            "/api/v1/exports/queue.csv?agency=" + "x" * 101, headers=auth["root"]
        ).status_code
        == 422
    )
    events = [e for e in _events(workspace, "export") if e.object_type == "queue_csv"]
    assert [e.details["rows"] for e in events] == [1, 0, 2, 1]
