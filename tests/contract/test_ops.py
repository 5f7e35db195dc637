"""Operations on a served desk: probes, Prometheus metrics and JSON request logs.

``grace serve --log-json`` runs in a child process against a workspace with two ingested
referrals, one quarantined input and one reveal, on SQLite and PostgreSQL; the metrics
text is parsed with ``prometheus_client.parser`` as Prometheus would read it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text

from builders import write_grace_bundle
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.ingest.pipeline import IngestPipeline
from grace.media.process import MediaProcessor
from grace.store.tables import Referral, ReferralFile
from grace.workspace import Workspace
from net import free_port

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "correct-horse-battery"


@dataclass
class Served:
    url: str
    admin: str
    analyst: str
    referral_id: int
    sha256: str
    log: Path


def call(
    url: str, token: str | None = None, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if method == "POST":
        request.add_header("Content-Type", "application/json")
        request.data = b"{}"
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(body: bytes) -> Samples:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


@contextmanager
def served(workspace: Workspace, root: Path) -> Iterator[Served]:
    inbox = root / "inbox"
    inbox.mkdir()
    for n in (1, 2):
        write_grace_bundle(inbox, n, images=1)
    (inbox / "broken.xml").write_bytes(b"<?xml version='1.0'?><report><reportId>1</report>")
    report = IngestPipeline(workspace).run([inbox])
    assert [report.count(s) for s in ("ingested", "quarantined")] == [2, 1]
    MediaProcessor(workspace, "test", workers=1).run()
    with workspace.sessions.begin() as session:
        add_user(session, "ada", PASSWORD, "admin")
        add_user(session, "nina", PASSWORD, "analyst", "nl-police")
        admin, analyst = (create_token(session, name)[1] for name in ("ada", "nina"))
        referral_id, sha256 = session.execute(
            select(Referral.id, ReferralFile.sha256).join(ReferralFile).limit(1)
        ).one()
    port = free_port()
    log = root / "serve.log"
    command = [sys.executable, "-m", "grace.cli.main", "serve", "--home", str(workspace.home)]
    with log.open("wb") as sink:
        proc = subprocess.Popen([*command, "--port", str(port), "--log-json"], stderr=sink)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/livez", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield Served(url, admin, analyst, referral_id, sha256, log)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_probes_metrics_and_json_logs(workspace: Workspace, tmp_path: Path) -> None:
    with served(workspace, tmp_path) as desk:
        assert call(f"{desk.url}/livez") == (200, b'{"status":"ok"}')
        status, body = call(f"{desk.url}/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "vault": "ok"}
        path = f"/api/v1/referrals/{desk.referral_id}"
        assert call(desk.url + path, desk.admin)[0] == 200
        reveal = f"{desk.url}/api/v1/media/{desk.sha256}/reveal"
        assert call(reveal, desk.admin, "POST")[0] == 200
        assert call(f"{desk.url}/no-such-page-4711")[0] == 404

        status, body = call(f"{desk.url}/metrics")
        assert status == 200, body
        found = samples(body)
        assert value(found, "grace_database_up") == 1
        assert value(found, "grace_workspace_ingested_total") == 2
        assert value(found, "grace_workspace_quarantined_total") == 1
        assert value(found, "grace_workspace_reveals_total") == 1
        assert value(found, "grace_referrals", status="new") == 2
        files = {dict(k[1])["media_status"]: v for k, v in found.items() if "_files" in k[0]}
        assert files == {"new": 2}
        assert value(found, "grace_media_unmatched") == 0
        assert value(found, "grace_ingest_outcomes_total", outcome="quarantined") == 0
        template = "/api/v1/referrals/{referral_id}"
        labels = {"method": "GET", "route": template, "status": "200"}
        assert value(found, "grace_http_requests_total", **labels) == 1
        assert value(found, "grace_http_request_duration_seconds_count", **labels) == 1
        assert value(found, "grace_http_requests_total", method="POST",
                     route="/api/v1/media/{sha256}/reveal", status="200") == 1
        assert value(found, "grace_http_requests_total", method="GET", route="<unmatched>",
                     status="404") == 1
        # Names and labels only: a sample's value (a byte count, say) may contain any digits.
        names_and_labels = b"\n".join(line.rsplit(b" ", 1)[0] for line in body.splitlines())
        for identifier in (path.encode(), b"4711", desk.sha256.encode()):
            assert identifier not in names_and_labels

        forwarded = {"X-Forwarded-For": "203.0.113.9"}
        assert call(f"{desk.url}/metrics", headers=forwarded)[0] == 401
        assert call(f"{desk.url}/metrics", desk.analyst, headers=forwarded)[0] == 403
        assert call(f"{desk.url}/metrics", desk.admin, headers=forwarded)[0] == 200

        _readiness_failures(workspace, desk)

    lines = [line for line in desk.log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [e for e in entries if e["logger"] == "grace.http"]
    assert {"method": "GET", "route": template, "status": 200} in [
        {k: e[k] for k in ("method", "route", "status")} for e in requests
    ]
    assert all(isinstance(e["duration_ms"], float | int) for e in requests)
    text_of_log = desk.log.read_text()
    for secret in (desk.admin, desk.analyst, PASSWORD, path, desk.sha256, "203.0.113.9"):
        assert secret not in text_of_log


def _readiness_failures(workspace: Workspace, desk: Served) -> None:
    """/readyz turns 503, naming the check, for a schema behind and an unreadable vault."""
    with workspace.engine.begin() as conn:
        head = conn.scalar(text("SELECT version_num FROM alembic_version"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        status, body = call(f"{desk.url}/readyz")
        assert status == 503 and json.loads(body)["checks"]["migrations"] == "behind"
    finally:
        with workspace.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    objects = workspace.home / "vault" / "objects"
    objects.rename(objects.with_name("objects-away"))
    try:
        status, body = call(f"{desk.url}/readyz")
        assert status == 503
        assert json.loads(body) == {
            "status": "not ready",
            "checks": {"database": "ok", "migrations": "ok", "vault": "failed"},
        }
    finally:
        objects.with_name("objects-away").rename(objects)
    assert call(f"{desk.url}/readyz")[0] == 200


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib must talk to the loopback server directly, whatever the environment says."""
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
