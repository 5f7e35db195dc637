"""The media wall's endpoints and pages through the real app, on SQLite and PostgreSQL:
categorised items never rendered, blurred thumbnails, audited reveals counted as exposure,
original downloads only as attachments, agency scoping (404) and role checks (403)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from builders import encoded, textured_image, write_media_referral
from grace.accounts.users import add_user
from grace.banks.repository import BankKind, import_bank
from grace.desk.renditions import THUMB_SIDE
from grace.desk.wall import wall_items
from grace.ingest.pipeline import IngestPipeline
from grace.media.process import MediaProcessor
from grace.store.intel_tables import Decision
from grace.store.tables import AuditEvent, Referral
from grace.web import create_app
from grace.workspace import Workspace

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "benign-test-password"
USERS = {
    "ana": ("analyst", "nl-police"),
    "sup": ("supervisor", "nl-police"),
    "bert": ("analyst", "de-bka"),
    "audi": ("auditor", None),
}


@dataclass
class Wall:
    workspace: Workspace
    referral_id: int
    known: str
    new: str

    def signed_in(self, username: str) -> tuple[TestClient, str]:
        client = TestClient(create_app(self.workspace))
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return client, str(response.json()["csrf_token"])


@pytest.fixture
def wall(workspace: Workspace, tmp_path: Path) -> Wall:
    known = encoded(textured_image(31), quality=90)
    new = encoded(textured_image(32, (640, 480)), quality=90)
    md5 = hashlib.md5(known, usedforsecurity=False).hexdigest()
    bank = f"md5,category\n{md5},1\n".encode()
    import_bank(workspace, bank, "k.csv", name="known-set", kind=BankKind.KNOWN, actor="t")
    inbox = tmp_path / "in"
    write_media_referral(inbox, "W-1", {"k.jpg": known, "n.jpg": new})
    assert IngestPipeline(workspace).run([inbox]).ok
    MediaProcessor(workspace, "t", workers=1).run()
    with workspace.sessions.begin() as session:
        referral = session.scalars(select(Referral)).one()
        referral.agency = "nl-police"
        for name, (role, agency) in USERS.items():
            add_user(session, name, PASSWORD, role, agency)
        referral_id = referral.id
    return Wall(
        workspace, referral_id, hashlib.sha256(known).hexdigest(), hashlib.sha256(new).hexdigest()
    )


def test_wall_hides_categorised_items_with_a_badge(wall: Wall) -> None:
    with wall.workspace.sessions() as session:
        items = {i.sha256: i for i in wall_items(session, wall.referral_id)}
    known, new = items[wall.known], items[wall.new]
    assert known.hidden and not known.renderable
    assert [(b.bank, b.bank_kind, b.category) for b in known.badges] == [
        ("known-set", "known", "1")
    ]
    assert known.badges[0].label and "category 1" in known.badges[0].label
    assert not new.hidden and new.renderable and new.kind == "image"


def test_thumbnails_are_blurred_and_categorised_items_refused(wall: Wall) -> None:
    ana, _ = wall.signed_in("ana")
    thumb = ana.get(f"/api/v1/media/{wall.new}/thumbnail")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert "no-store" in thumb.headers["cache-control"]
    with Image.open(io.BytesIO(thumb.content)) as im:
        assert im.mode == "L" and max(im.size) <= THUMB_SIDE
    refused = ana.get(f"/api/v1/media/{wall.known}/thumbnail")
    assert refused.status_code == 403 and "not displayed" in refused.json()["error"]
    assert ana.get(f"/api/v1/media/{wall.new}/thumbnail?frame=1").status_code == 404
    assert ana.get(f"/api/v1/media/{wall.new}/thumbnail?frame=99").status_code == 422
    assert ana.get("/api/v1/media/not-a-hash/thumbnail").status_code == 422


def test_reveal_needs_csrf_is_audited_and_counts_as_exposure(wall: Wall) -> None:
    ana, csrf = wall.signed_in("ana")
    url = f"/api/v1/media/{wall.new}/reveal"
    assert ana.post(url, json={}).status_code == 403  # no CSRF token
    assert (
        ana.post(
            f"/api/v1/media/{wall.known}/reveal", json={}, headers={"X-CSRF-Token": csrf}
        ).status_code
        == 403
    )
    body = {"referral_id": wall.referral_id}
    shown = ana.post(url, json=body, headers={"X-CSRF-Token": csrf})
    assert shown.status_code == 200, shown.text
    assert shown.headers["cache-control"] == "no-store"
    data = shown.json()
    assert data["seconds"] == 5 and data["exposure_today"] == 1
    prefix = "data:image/jpeg;base64,"
    assert data["images"][0].startswith(prefix)
    with Image.open(io.BytesIO(base64.b64decode(data["images"][0][len(prefix) :]))) as im:
        assert im.mode == "RGB" and max(im.size) < 640  # colour, but never the original
    assert ana.get("/api/v1/exposure").json() == {
        "actor": "user:ana",
        "revealed_today": 1,
        "team": None,
    }
    sup, _ = wall.signed_in("sup")
    assert sup.get("/api/v1/exposure").json()["team"] == {"user:ana": 1}
    bert, _ = wall.signed_in("bert")
    assert bert.get("/api/v1/exposure").json()["revealed_today"] == 0
    with wall.workspace.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "reveal")).one()
        assert wall.workspace.audit.verify(session).ok
    assert (event.actor, event.object_type, event.object_id) == ("user:ana", "media", wall.new)
    assert event.details["agency"] == "nl-police"
    assert event.details["referral_id"] == wall.referral_id
    panel = sup.get("/exposure")
    assert panel.status_code == 200 and "user:ana" in panel.text
    assert ana.get("/exposure").status_code == 403


def test_originals_download_only_for_analysts_in_scope(wall: Wall) -> None:
    ana, _ = wall.signed_in("ana")
    unconfirmed = ana.get(f"/api/v1/media/{wall.known}/original")
    assert unconfirmed.status_code == 409  # a categorised item: the analyst must confirm first
    got = ana.get(f"/api/v1/media/{wall.known}/original?confirm=true")
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert hashlib.sha256(got.content).hexdigest() == wall.known
    audi, _ = wall.signed_in("audi")
    assert audi.get(f"/api/v1/media/{wall.known}/original").status_code == 403
    assert audi.get(f"/api/v1/media/{wall.new}/thumbnail").status_code == 403
    bert, csrf = wall.signed_in("bert")
    for path in ("original", "thumbnail"):
        assert bert.get(f"/api/v1/media/{wall.new}/{path}").status_code == 404
    hidden = bert.post(f"/api/v1/media/{wall.new}/reveal", headers={"X-CSRF-Token": csrf})
    assert hidden.status_code == 404
    with wall.workspace.sessions() as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.object_id == wall.known)).all()
    assert [(v.actor, v.action, v.details) for v in views] == [
        ("user:ana", "reveal", {"rendition": "original", "agency": "nl-police"})
    ]


def test_pages_render_and_the_decision_form_records(wall: Wall) -> None:
    ana, csrf = wall.signed_in("ana")
    page = ana.get(f"/referrals/{wall.referral_id}")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert f'data-sha256="{wall.known}"' in page.text and "not displayed" in page.text
    assert f"/api/v1/media/{wall.known}/thumbnail" not in page.text
    assert f"/api/v1/media/{wall.new}/thumbnail" in page.text
    assert ana.get(f"/referrals/{wall.referral_id}/media").status_code == 200
    form = {"label": "urgent", "notes": "benign test", f"category-{wall.new}": "2"}
    url = f"/referrals/{wall.referral_id}/decision"
    assert ana.post(url, data=form, follow_redirects=False).status_code == 403  # no CSRF
    done = ana.post(url, data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    bad = ana.post(url, data={**form, "label": "maybe", "csrf_token": csrf})
    assert bad.status_code == 422
    with wall.workspace.sessions() as session:
        decision = session.scalars(select(Decision)).one()
        status = session.get(Referral, wall.referral_id)
    assert decision.label == "urgent" and decision.actor == "user:ana"
    assert decision.data["media_categories"] == {wall.new: "2"}
    assert status is not None and status.status == "decided"
    for path in ("/", "/?min_priority=abc&country=nl", "/dashboard", "/?page=3"):
        assert ana.get(path).status_code == 200, path
    assert ana.get("/audit").status_code == 403
    audi, _ = wall.signed_in("audi")
    log = audi.get("/audit?action=decide")
    assert log.status_code == 200 and "user:ana" in log.text
    bert, _ = wall.signed_in("bert")
    assert bert.get(f"/referrals/{wall.referral_id}").status_code == 404
    assert bert.get(f"/referrals/{wall.referral_id}/media").status_code == 404
    assert (
        TestClient(create_app(wall.workspace)).get("/", follow_redirects=False).status_code == 303
    )
