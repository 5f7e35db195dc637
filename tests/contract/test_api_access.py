"""Accounts and access through the real app: sign-in, cookies, CSRF, rate limiting,
tokens, disabled users, roles, and agency scoping through the API and the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from api_setup import AGENCY_A, PASSWORD, Desk, build_desk
from grace.store.intel_tables import ReferralLink
from grace.web.auth import Principal, record_view, scope
from grace.workspace import Workspace


@pytest.fixture
def desk(workspace: Workspace, tmp_path: Path) -> Desk:
    return build_desk(workspace, tmp_path)


def test_agency_a_cannot_read_agency_b_by_id_through_api_or_pages(desk: Desk) -> None:
    ana, _csrf = desk.signed_in("ana")
    listed = ana.get("/api/v1/referrals?limit=200").json()
    assert listed["total"] == 3
    assert {r["agency"] for r in listed["items"]} == {AGENCY_A}
    assert ana.get("/api/v1/referrals/1").status_code == 200
    for path in ("/api/v1/referrals/4", "/api/v1/referrals/4/decisions", "/referrals/4"):
        response = ana.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"error": "no referral with id 4"}
    page = ana.get("/referrals/4", headers={"Accept": "text/html"})  # what a browser sees
    assert page.status_code == 404 and "no referral with id 4" in page.text
    assert page.headers["content-type"].startswith("text/html")
    # a missing id reads exactly like an out-of-scope one: ids do not leak existence
    assert ana.get("/api/v1/referrals/999").json() == {"error": "no referral with id 999"}
    foreign = desk.sha_of(4)
    for path in (f"/api/v1/media/{foreign}/thumbnail", f"/api/v1/media/{foreign}/original"):
        assert ana.get(path).status_code == 404, path
    assert ana.get(f"/api/v1/media/{desk.sha_of(1)}/thumbnail").status_code != 404
    assert ana.get("/api/v1/referrals?agency=de-bka").json()["total"] == 0


def test_links_to_other_agencies_referrals_are_not_shown(desk: Desk) -> None:
    with desk.workspace.sessions.begin() as session:
        for other in (2, 4):  # 2 is agency A's, 4 agency B's
            session.add(
                ReferralLink(
                    referral_a=1,
                    referral_b=other,
                    kind="email",
                    value="x@example.com",
                    strength="strong",
                    weight=0.9,
                    reason="same e-mail",
                )
            )
    mine = desk.as_token("ana").get("/api/v1/referrals/1").json()["links"]
    assert [link["referral"] for link in mine] == [2]
    everything = desk.as_token("coord").get("/api/v1/referrals/1").json()["links"]
    assert sorted(link["referral"] for link in everything) == [2, 4]
    page = desk.signed_in("ana")[0].get("/referrals/1").text  # the page hides them too
    assert 'href="/referrals/2"' in page and 'href="/referrals/4"' not in page


def test_coordinator_and_admin_see_every_agency(desk: Desk) -> None:
    for username in ("coord", "admin"):
        client = desk.as_token(username)
        assert client.get("/api/v1/referrals").json()["total"] == 6
        assert client.get("/api/v1/referrals/4").status_code == 200


def test_views_and_sign_ins_go_to_the_audit_trail_with_the_user(desk: Desk) -> None:
    ana, _csrf = desk.signed_in("ana")
    ana.get("/api/v1/referrals/2")
    audit = desk.as_token("audi").get("/api/v1/audit?actor=user:ana").json()
    actions = [(e["action"], e["object_type"], e["object_id"]) for e in audit["items"]]
    assert ("view", "referral", "2") in actions
    assert ("login", "user", "ana") in actions
    with desk.workspace.sessions() as session:
        assert desk.workspace.audit.verify(session).ok


def test_session_cookie_is_httponly_samesite_and_secure_behind_tls(desk: Desk) -> None:
    client = desk.client()
    response = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    client.app.state.secure_cookies = True  # type: ignore[attr-defined]
    response = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert "secure" in response.headers["set-cookie"].lower()


def test_cookie_posts_need_the_csrf_token(desk: Desk) -> None:
    ana, csrf = desk.signed_in("ana")
    body = {"label": "actionable", "notes": "benign test"}
    refused = ana.post("/api/v1/referrals/1/decisions", json=body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    wrong = ana.post("/api/v1/referrals/1/decisions", json=body, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    ok = ana.post("/api/v1/referrals/1/decisions", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    # a bearer token is not sent by browsers on their own: no CSRF token needed
    assert desk.as_token("ana").post("/api/v1/referrals/2/decisions", json=body).status_code == 201


def test_form_sign_in_redirects_and_rejects_foreign_origins(desk: Desk) -> None:
    client = desk.client()
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login?next=")
    form = {"username": "ana", "password": PASSWORD, "next": "//evil.example/"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/api/v1/auth/me").json()["username"] == "ana"
    foreign = client.post(
        "/login", data=form, headers={"Origin": "https://evil.example"}, follow_redirects=False
    )
    assert foreign.status_code == 403
    wrong = client.post("/login", data={**form, "password": "nope"}, follow_redirects=False)
    assert wrong.headers["location"].startswith("/login?error=invalid")


def test_logout_ends_the_session(desk: Desk) -> None:
    ana, csrf = desk.signed_in("ana")
    cookie = dict(ana.cookies)
    assert ana.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replayed = desk.client()
    replayed.cookies.update(cookie)  # the old cookie is dead on the server, not just deleted
    assert replayed.get("/api/v1/referrals").status_code == 401
    sup, csrf = desk.signed_in("sup")
    refused = sup.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    form = sup.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/login"
    assert sup.get("/", follow_redirects=False).status_code == 303


def test_five_failed_sign_ins_lock_the_user_out_for_a_while(desk: Desk) -> None:
    client = desk.client()
    for _ in range(5):
        bad = client.post("/api/v1/auth/login", json={"username": "ana", "password": "wrong!"})
        assert bad.status_code == 401
    locked = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    assert "too many" in locked.json()["error"]
    # another user from the same address is not affected
    other = client.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
    assert other.status_code == 200


def test_disabled_users_lose_sessions_and_tokens(desk: Desk) -> None:
    ana, _csrf = desk.signed_in("ana")
    token_client = desk.as_token("ana")
    admin = desk.as_token("admin")
    assert admin.post("/api/v1/users/ana/disable").json()["disabled"] is True
    assert ana.get("/api/v1/referrals").status_code == 401
    assert token_client.get("/api/v1/referrals").status_code == 401
    again = desk.client().post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert again.status_code == 401


def test_tokens_are_created_once_listed_without_secret_and_revoked(desk: Desk) -> None:
    sup = desk.as_token("sup")
    created = sup.post("/api/v1/tokens", json={"name": "script"})
    assert created.status_code == 201
    secret = created.json()["token"]
    script = desk.client()
    script.headers["Authorization"] = f"Bearer {secret}"
    assert script.get("/api/v1/auth/me").json()["username"] == "sup"
    listed = sup.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"test", "script"}
    assert all("token" not in t for t in listed)
    assert sup.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    assert script.get("/api/v1/auth/me").status_code == 401
    assert desk.as_token("ana").delete(f"/api/v1/tokens/{listed[0]['id']}").status_code == 404
    garbage = desk.client().get("/api/v1/referrals", headers={"Authorization": "Bearer nope"})
    assert garbage.status_code == 401 and garbage.json() == {
        "error": "invalid or expired credentials"
    }


def test_roles_limit_what_each_user_may_do(desk: Desk) -> None:
    auditor, analyst = desk.as_token("audi"), desk.as_token("ana")
    assert auditor.get("/api/v1/audit").status_code == 200
    assert auditor.get("/api/v1/referrals").status_code == 403
    assert (
        auditor.post("/api/v1/referrals/1/decisions", json={"label": "urgent"}).status_code == 403
    )
    assert analyst.get("/api/v1/audit").status_code == 403
    assert analyst.get("/api/v1/users").status_code == 403
    forbidden = analyst.post("/api/v1/users", json={"username": "x", "role": "admin"})
    assert forbidden.status_code == 403
    assert forbidden.json()["error"].startswith("this needs one of the roles")


def test_record_view_saves_the_anchor_on_commit_and_unlocks_on_rollback(
    workspace: Workspace,
) -> None:
    viewer = Principal(1, "viewer", "admin", None, True)
    with workspace.sessions.begin() as session:
        record_view(session, workspace, viewer, "referral", "1")
        record_view(session, workspace, viewer, "referral", "2")
        assert scope._AUDIT_LOCK.locked()  # held until the transaction ends
    anchor = (workspace.home / "audit.anchor.json").read_text(encoding="utf-8")
    assert '"seq": 2' in anchor and not scope._AUDIT_LOCK.locked()
    with pytest.raises(RuntimeError), workspace.sessions.begin() as session:
        record_view(session, workspace, viewer, "referral", "3")
        raise RuntimeError("the audited action failed")
    assert not scope._AUDIT_LOCK.locked()
    assert (workspace.home / "audit.anchor.json").read_text(encoding="utf-8") == anchor
    with workspace.sessions() as session:
        assert workspace.audit.verify(session).ok
