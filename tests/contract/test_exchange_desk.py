"""The desk's view of the exchange (issue 12, desk part), on two real nodes: the inbox,
the outbox, a referral's history across nodes, the outcome form and the outcome figures,
through the API and the pages, scoped by agency. Both nodes on SQLite, or both on
PostgreSQL (two databases)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from exchange_world import World, two_nodes
from grace.exchange.node import load_node
from grace.exchange.outcomes import send_outcomes
from grace.exchange.receive import receive
from grace.store.tables import AuditEvent
from grace.workspace import Workspace
from pg import throwaway_database, worker_database


@contextmanager
def _nodes(tmp: Path, eu_url: str | None, nl_url: str | None) -> Iterator[World]:
    europol = Workspace.init(tmp / "europol", eu_url)
    nl = Workspace.init(tmp / "nl", nl_url)
    try:
        with two_nodes(europol, nl, tmp) as found:
            yield found
    finally:
        nl.close()
        europol.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sqlite":
        with _nodes(tmp_path, None, None) as found:
            yield found
        return
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    eu_url = worker_database(worker)
    with throwaway_database("xdesk") as nl_url, _nodes(tmp_path, eu_url, nl_url) as found:
        yield found


def test_inbox_shows_sender_result_and_referrals_scoped(world: World) -> None:
    nl = world.nl
    europol_fp = load_node(world.europol.workspace).fingerprint
    everything = nl.as_token("root").get("/api/v1/exchange/inbox/packages").json()
    results = [p["result"] for p in everything]
    assert results == ["already_present", "quarantined", "accepted"]  # newest first
    accepted = everything[2]
    assert accepted["sender"] == "europol" and accepted["sender_agency"] == "europol"
    assert accepted["signer_fingerprint"] == europol_fp and accepted["signer_pinned"]
    assert [r["referral_id"] for r in accepted["referrals"]] == [1, 2, 3]
    assert [r["sender_referral_id"] for r in accepted["referrals"]] == [1, 2, 3]
    refused = everything[1]
    assert refused["reason"].startswith("addressed to agency de-bka")
    assert refused["referrals"] == []
    assert everything[0]["referrals"][0]["status"] == "already_present"
    # an analyst sees the packages of their agency's referrals, not a refused package
    mine = nl.as_token("nina").get("/api/v1/exchange/inbox/packages").json()
    assert [p["result"] for p in mine] == ["already_present", "accepted"]
    assert nl.as_token("dirk").get("/api/v1/exchange/inbox/packages").json() == []
    page = nl.signed_in("nina")[0].get("/exchange/inbox").text
    assert 'href="/referrals/3"' in page and "europol" in page and europol_fp[:23] in page
    assert "addressed to agency" not in page
    root_page = nl.signed_in("root")[0].get("/exchange/inbox").text
    assert "addressed to agency de-bka" in root_page
    # the refused package handed in again: refused again, a second attempt in the inbox
    stray = next((world.outbox / "de-bka").glob("*.zip")).read_bytes()
    assert receive(nl.workspace, stray, "file:again.zip", "test")["status"] == "quarantined"
    again = nl.as_token("root").get("/api/v1/exchange/inbox/packages").json()
    assert [p["result"] for p in again] == [
        "quarantined",
        "already_present",
        "quarantined",
        "accepted",
    ]
    assert again[0]["package_sha256"] == again[2]["package_sha256"]


def test_outbox_shows_delivery_receipt_and_scope(world: World) -> None:
    eu = world.europol
    rows = eu.as_token("coord").get("/api/v1/exchange/outbox").json()
    assert sorted(r["referral_id"] for r in rows) == [1, 1, 2, 3, 4, 5]
    posted = [r for r in rows if r["peer"] == "nl-police"]
    assert {(r["delivery"], r["via"], r["acknowledged"]) for r in posted} == {
        ("delivered", "http", True)
    }
    assert {r["receipt_status"] for r in posted} == {"ingested", "already_present"}
    assert all(r["receiver_referral_id"] for r in posted)
    parked = [r for r in rows if r["peer"] == "de-bka"]
    assert {(r["delivery"], r["via"], r["acknowledged"]) for r in parked} == {
        ("outbox", "outbox", False)
    }
    assert all(r["peer_agency"] == "de-bka" for r in parked)
    assert {r["peer"] for r in eu.as_token("nina").get("/api/v1/exchange/outbox").json()} == {
        "nl-police"
    }
    assert {
        r["referral_id"] for r in eu.as_token("dirk").get("/api/v1/exchange/outbox").json()
    } == {
        4,
        5,
    }
    page = eu.signed_in("dirk")[0].get("/exchange/outbox").text
    assert 'href="/referrals/4"' in page and "outbox folder" in page
    assert 'href="/referrals/1"' not in page
    german = eu.signed_in("dirk")[0].get("/exchange/outbox", headers={"Accept-Language": "de"})
    assert "Austausch: Ausgang" in german.text and "Ausgangsordner" in german.text


def test_outcome_from_the_desk_is_audited_returned_and_counted(world: World) -> None:
    nl, eu = world.nl, world.europol
    nina, csrf = nl.signed_in("nina")
    form = {"outcome": "arrest_or_search", "csrf_token": csrf}
    assert (
        nina.post("/referrals/2/outcome", data={"outcome": "arrest_or_search"}).status_code == 403
    )
    refused = nina.post(
        "/referrals/2/outcome", data={"outcome": "not_actionable", "csrf_token": csrf}
    )
    assert refused.status_code == 422 and "reason" in refused.text
    done = nina.post("/referrals/2/outcome", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("outcome=1#outcomes")
    dirk, dirk_csrf = nl.signed_in("dirk")
    assert (
        dirk.post("/referrals/2/outcome", data={**form, "csrf_token": dirk_csrf}).status_code == 404
    )
    page = nina.get("/referrals/2?outcome=1").text
    assert "Outcome recorded." in page and "arrest or search" in page
    assert "Received from europol" in page and 'id="outcome-form"' in page
    with nl.workspace.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "exchange.outcome"))
        assert event is not None and event.actor == "user:nina" and event.object_id == "2"
    # the API records one too (JSON, bearer token), and the outcome goes back
    api = nl.as_token("nina").post(
        "/api/v1/exchange/referrals/3/outcome",
        json={"outcome": "not_actionable", "reason": "account already closed"},
    )
    assert api.status_code == 200, api.text
    assert [d.delivery for d in send_outcomes(nl.workspace, "user:nina")] == ["delivered"]
    stats = eu.as_token("coord").get("/api/v1/exchange/outcomes").json()
    assert stats["total"] == {"arrest_or_search": 1, "not_actionable": 1}
    assert stats["by_agency"] == {"nl-police": {"arrest_or_search": 1, "not_actionable": 1}}
    assert stats["median_days_to_outcome"] is not None
    assert eu.as_token("dirk").get("/api/v1/exchange/outcomes").json()["total"] == {}
    returned = {
        r["referral_id"]: r["outcome"]
        for r in eu.as_token("coord").get("/api/v1/exchange/outbox").json()
        if r["outcome"]
    }
    assert returned[2]["outcome"] == "arrest_or_search" and returned[2]["source"] == "nl-police"
    assert returned[3]["reason"] == "account already closed"
    dashboard = eu.signed_in("coord")[0].get("/dashboard").text
    assert 'id="outcomes-by-agency"' in dashboard and "not actionable" in dashboard
    with eu.workspace.sessions() as session:
        assert eu.workspace.audit.verify(session).ok
    with nl.workspace.sessions() as session:
        assert nl.workspace.audit.verify(session).ok


def test_history_across_nodes_on_both_sides(world: World) -> None:
    nl, eu = world.nl, world.europol
    there = nl.as_token("nina").get("/api/v1/exchange/referrals/1/history").json()
    arrival = there["received_from"][0]
    assert arrival["sender"] == "europol" and arrival["sender_agency"] == "europol"
    assert {c["node"] for c in arrival["sender_custody"]} == {"europol"}
    assert all(arrival["package_sha256"] in c["source"] for c in there["custody"])
    assert nl.as_token("dirk").get("/api/v1/exchange/referrals/1/history").status_code == 404
    here = eu.as_token("coord").get("/api/v1/exchange/referrals/1/history").json()
    assert [(s["peer"], s["acknowledged"]) for s in here["sent_to"]] == [
        ("nl-police", True),
        ("nl-police", True),
    ]
    page = eu.signed_in("coord")[0].get("/referrals/4").text
    assert (
        'id="exchange-sent"' in page and "de-bka" in page and "disseminated: outbox folder" in page
    )
    sent = eu.signed_in("coord")[0].get("/referrals/1").text
    assert "disseminated: acknowledged" in sent and "signed receipt verified" in sent
    own = eu.signed_in("coord")[0].get("/referrals/6").text
    assert "was not received from or sent to another grace node" in own
