"""Every /api/v1 endpoint of desk-core on the real app and a real workspace: filters,
sorting, pagination, detail, decisions, hash sets, stats, audit, users; bad input is 4xx."""

from __future__ import annotations

from pathlib import Path

import pytest

from api_setup import AGENCY_A, AGENCY_B, Desk, build_desk
from grace.workspace import Workspace


@pytest.fixture
def desk(workspace: Workspace, tmp_path: Path) -> Desk:
    return build_desk(workspace, tmp_path)


def test_queue_filters_sorts_and_pages(desk: Desk) -> None:
    admin = desk.as_token("admin")
    everything = admin.get("/api/v1/referrals").json()
    priorities = [r["priority"] for r in everything["items"]]
    assert priorities == sorted(priorities, reverse=True) and None not in priorities
    assert admin.get(f"/api/v1/referrals?agency={AGENCY_B}").json()["total"] == 2
    first = admin.get("/api/v1/referrals?limit=4&page=1").json()
    second = admin.get("/api/v1/referrals?limit=4&page=2").json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (6, 4, 2)
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    newest = admin.get("/api/v1/referrals?sort=-incident_at").json()["items"]
    assert newest[0]["incident_time"] == max(r["incident_time"] for r in newest)
    ids = [r["id"] for r in admin.get("/api/v1/referrals?sort=id").json()["items"]]
    assert ids == [1, 2, 3, 4, 5, 6]
    top = priorities[0]
    assert admin.get(f"/api/v1/referrals?priority_min={top}").json()["total"] >= 1
    assert admin.get(f"/api/v1/referrals?priority_max={top - 1000}").status_code == 422
    esc = admin.get("/api/v1/referrals?escalated=true").json()["items"]
    assert esc and all(r["escalated"] for r in esc)
    assert admin.get("/api/v1/referrals?country=zz").json()["total"] == 0
    assert admin.get("/api/v1/referrals?esp=PhotoShareCo&status=new").json()["total"] == 6
    assert admin.get("/api/v1/referrals?received_to=2000-01-01").json()["total"] == 0
    assert admin.get("/api/v1/referrals?received_from=2000-01-01T00:00:00Z").json()["total"] == 6
    later = admin.get("/api/v1/referrals?incident_from=2026-10-04T00:00:00%2B00:00").json()
    assert later["total"] == 3  # incidents on the 4th, 5th and 6th of October


def test_referral_detail_has_people_files_priority_and_is_audited(desk: Desk) -> None:
    ana = desk.as_token("ana")
    detail = ana.get("/api/v1/referrals/1").json()
    assert detail["agency"] == AGENCY_A
    assert detail["parties"][0]["role"] == "reported"
    assert detail["parties"][0]["emails"][0].endswith("@example.com")
    assert detail["ip_events"][0]["ip"] == "192.0.2.10"
    assert detail["files"][0]["sha256"] == desk.sha_of(1)
    assert detail["priority_explanation"]["scorer"] == "rules_v1"
    assert detail["priority_explanation"]["factors"]
    assert detail["referral"]["external_id"] == detail["external_id"]
    assert isinstance(detail["ingest_warnings"], list)
    views = desk.as_token("audi").get("/api/v1/audit?action=view&object_id=1").json()
    assert views["items"][0]["actor"] == "user:ana"


def test_decisions_are_recorded_listed_and_audited(desk: Desk) -> None:
    ana = desk.as_token("ana")
    sha = desk.sha_of(1)
    body = {"label": "urgent", "notes": "benign note", "media_categories": {sha: "3"}}
    created = ana.post("/api/v1/referrals/1/decisions", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["actor"] == "user:ana"
    listed = ana.get("/api/v1/referrals/1/decisions").json()
    assert [(d["label"], d["media_categories"]) for d in listed] == [("urgent", {sha: "3"})]
    assert ana.get("/api/v1/referrals/1").json()["status"] == "decided"
    stray = {"label": "urgent", "media_categories": {desk.sha_of(2): "1"}}
    refused = ana.post("/api/v1/referrals/1/decisions", json=stray)
    assert refused.status_code == 422 and "not part of referral 1" in refused.json()["error"]
    decided = desk.as_token("audi").get("/api/v1/audit?action=decide").json()["items"]
    assert [(e["object_id"], e["details"]["label"]) for e in decided] == [("1", "urgent")]
    foreign = ana.post("/api/v1/referrals/4/decisions", json={"label": "urgent"})
    assert foreign.status_code == 404


BAD_QUERIES = [
    ("/api/v1/referrals?limit=100000", 422),
    ("/api/v1/referrals?limit=0", 422),
    ("/api/v1/referrals?page=abc", 422),
    ("/api/v1/referrals?page=-1", 422),
    ("/api/v1/referrals?sort=drop%20table", 422),
    ("/api/v1/referrals?priority_min=high", 422),
    ("/api/v1/referrals?received_from=yesterday", 422),
    ("/api/v1/referrals?escalated=perhaps", 422),
    ("/api/v1/referrals/abc", 422),
    ("/api/v1/referrals/0", 422),
    ("/api/v1/referrals/99999999999999999999", 422),
    ("/api/v1/referrals/12345", 404),
    ("/api/v1/referrals/12345/decisions", 404),
    ("/api/v1/audit?limit=1000000", 422),
    ("/api/v1/nothing-here", 404),
    ("/api/v1/media/not-a-hash/thumbnail", 422),
    (f"/api/v1/media/{'0' * 64}/thumbnail", 404),
]


def test_bad_input_is_a_4xx_json_error(desk: Desk) -> None:
    admin = desk.as_token("admin")
    for path, status in BAD_QUERIES:  # one workspace for all: building one takes seconds
        response = admin.get(path)
        assert response.status_code == status, (path, response.text)
        assert isinstance(response.json()["error"], str) and response.json()["error"], path


def test_bad_bodies_are_4xx(desk: Desk) -> None:
    admin = desk.as_token("admin")
    for body in (
        {"label": "maybe"},
        {"label": "urgent", "media_categories": {"abc": "1"}},
        {"label": "urgent", "media_categories": {desk.sha_of(1): "9"}},
        {"label": "urgent", "notes": "x" * 6000},
        {},
        [1, 2],
    ):
        response = admin.post("/api/v1/referrals/1/decisions", json=body)
        assert response.status_code == 422, (body, response.text)
    broken = admin.post(
        "/api/v1/referrals/1/decisions",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    assert admin.post("/api/v1/users", json={"username": "a b", "role": "x"}).status_code == 422


def test_hashsets_and_stats_are_read_only_and_scoped(desk: Desk) -> None:
    assert desk.as_token("ana").get("/api/v1/hashsets").json() == []
    assert desk.as_token("ana").post("/api/v1/hashsets").status_code == 405
    mine = desk.as_token("ana").get("/api/v1/stats").json()
    assert mine["referrals"] == 3 and set(mine["by_agency"]) == {AGENCY_A}
    assert desk.as_token("coord").get("/api/v1/stats").json()["referrals"] == 6


def test_audit_log_filters_and_pages(desk: Desk) -> None:
    auditor = desk.as_token("audi")
    for referral_id in (1, 2, 3):
        desk.as_token("sup").get(f"/api/v1/referrals/{referral_id}")
    page = auditor.get("/api/v1/audit?actor=user:sup&limit=2").json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert [e["object_id"] for e in page["items"]] == ["3", "2"]  # newest first
    rest = auditor.get("/api/v1/audit?actor=user:sup&limit=2&page=2").json()
    assert [e["object_id"] for e in rest["items"]] == ["1"]
    assert auditor.get("/api/v1/audit?since=2999-01-01").json()["total"] == 0


def test_admins_manage_users(desk: Desk) -> None:
    admin = desk.as_token("admin")
    body = {"username": "newbie", "role": "analyst", "agency": "NL-POLICE"}
    created = admin.post("/api/v1/users", json=body)
    assert created.status_code == 201
    assert created.json()["agency"] == AGENCY_A and len(created.json()["password"]) >= 16
    assert admin.post("/api/v1/users", json=body).status_code == 409
    unknown = admin.post("/api/v1/users", json={**body, "username": "x", "agency": "atlantis"})
    assert unknown.status_code == 422 and "unknown agency" in unknown.json()["error"]
    names = [u["username"] for u in admin.get("/api/v1/users").json()]
    assert "newbie" in names and all("password" not in u for u in admin.get("/api/v1/users").json())
    assert admin.post("/api/v1/users/ghost/disable").status_code == 404
