"""The desk in the analyst's language, and the page details analysts met (issue 11).

Each test signs in through the real app (FastAPI test client over a real workspace, SQLite
and PostgreSQL) and reads the rendered HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from api_setup import Desk, build_desk
from grace.store.account_tables import User
from grace.store.tables import AuditEvent
from grace.workspace import Workspace


@pytest.fixture
def desk(workspace: Workspace, tmp_path: Path) -> Desk:
    return build_desk(workspace, tmp_path)


def _language_of(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', html)
    assert found, html[:200]
    return found.group(1)


def test_browser_language_is_used_until_the_user_chooses(desk: Desk) -> None:
    client, csrf = desk.signed_in("ana")
    german = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert _language_of(german.text) == "de"
    assert "Warteschlange" in german.text and ">Queue<" not in german.text

    chosen = client.post(
        "/language", data={"language": "fr", "next": "/dashboard", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/dashboard"
    page = client.get("/dashboard", headers={"Accept-Language": "de"})
    assert _language_of(page.text) == "fr"  # the user's choice beats the browser
    assert "Tableau de bord" in page.text
    with desk.workspace.sessions() as session:
        assert session.scalar(select(User.language).where(User.username == "ana")) == "fr"
        settings = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings")
        ).all()
    assert [e.details for e in settings] == [{"language": "fr"}]


def test_unknown_language_is_refused(desk: Desk) -> None:
    client, csrf = desk.signed_in("ana")
    response = client.post("/language", data={"language": "xx", "csrf_token": csrf})
    assert response.status_code == 422


def test_numbers_and_dates_follow_the_locale(desk: Desk) -> None:
    client, _ = desk.signed_in("coord")
    english = client.get("/referrals/1", headers={"Accept-Language": "en"}).text
    german = client.get("/referrals/1", headers={"Accept-Language": "de"}).text
    points_en = re.search(r"<b>(-?[\d,]+\.\d) points</b>", english)
    points_de = re.search(r"<b>(-?[\d.]+,\d) Punkte</b>", german)
    assert points_en and points_de, "the points total is shown in both languages"
    assert points_en.group(1).replace(",", "") == points_de.group(1).replace(".", "").replace(
        ",", "."
    )
    received = re.search(r"<dt>Eingegangen</dt><dd>([^<]+)</dd>", german)
    assert received and re.search(r"\d{2}\.\d{2}\.\d{4}", received.group(1)), received


def test_priority_is_explained_by_points_mapping_and_percentile(desk: Desk) -> None:
    client, _ = desk.signed_in("coord")
    page = client.get("/referrals/1").text
    summary = re.search(r'<p class="score-sum" id="score-sum">(.*?)</p>', page, re.S)
    assert summary, "the referral page states how the priority came about"
    text = summary.group(1)
    assert "100 / (1 + e^-((points - " in text  # rules_v1's curve, with its numbers
    assert "Higher than" in text and "%" in text
    total = float(re.search(r"<b>(-?[\d,.]+) points</b>", text).group(1).replace(",", ""))
    shown = [
        float(v)
        for v in re.findall(r'<td class="num">([+-][\d.]+)</td>\s*<td class="barcell">', page)
    ]
    assert shown and abs(sum(shown) - total) < 0.1 * len(shown)  # rounding to 0.1 per row
    queue = client.get("/").text
    assert re.search(r'class="muted small points">[\d.,]+ points', queue)


def test_no_python_booleans_and_plural_files(desk: Desk) -> None:
    client, _ = desk.signed_in("coord")
    page = client.get("/referrals/1").text
    visible = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b(True|False|None)\b", visible)
    assert "1 files" not in visible and re.search(r"\b1 file\b", visible)


def test_failed_sign_in_keeps_the_user_name(desk: Desk) -> None:
    client = desk.client()
    response = client.post(
        "/login", data={"username": "ana", "password": "wrong", "next": "/"},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 200  # followed to the login page
    assert 'value="ana"' in response.text
    assert "Falscher Benutzername oder falsches Passwort." in response.text


def test_error_pages_are_pages_with_navigation(desk: Desk) -> None:
    client, _ = desk.signed_in("ana")
    html = {"Accept": "text/html"}
    for path, status in (("/referrals/abc", 422), ("/referrals/999", 404), ("/referrals/4", 404)):
        response = client.get(path, headers=html)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert '<nav class="main-nav"' in response.text and 'href="/dashboard"' in response.text
        assert "favicon.svg" in response.text
    assert client.get("/api/v1/referrals/abc").headers["content-type"].startswith(
        "application/json"
    )
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.text.startswith("<svg")


def test_dashboard_shows_every_agency_queue_and_full_labels(desk: Desk) -> None:
    client, _ = desk.signed_in("coord")
    page = client.get("/dashboard").text
    oldest = re.search(r'<svg id="chart-queue-oldest".*?</svg>', page, re.S)
    assert oldest
    labels = re.findall(r'class="label">([^<]+)</text>', oldest.group(0))
    table = re.search(r'<table class="compact" id="queue-ages">.*?</table>', page, re.S)
    agencies = re.findall(r"<tr><td>([^<]+)</td>", table.group(0)) if table else []
    assert agencies and sorted(labels) == sorted(agencies)
    assert "…" not in " ".join(labels)


def test_queue_age_charts_keep_every_agency() -> None:
    from grace.web.pages.dashboard import charts

    queues = {
        f"agency-{n:02d}": {"open": 1, "oldest_days": n, "median_age_days": n} for n in range(14)
    }
    stats = {
        "by_week": {}, "queues": queues, "by_esp": {}, "by_country": {},
        "media": {}, "media_share": {},
    }
    series = charts(stats)
    assert [a for a, _ in series["queue_oldest"]] == sorted(queues)
    assert [a for a, _ in series["queue_median"]] == sorted(queues)
