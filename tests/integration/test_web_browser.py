"""The analyst desk in a real browser: Debian's chromium driven by Playwright.

One served workspace per module (building it and starting ``grace serve`` is the slow part);
each test opens its own browser context, so sessions never leak between tests. Screenshots
of every page land in ``test-artifacts/`` (git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from browser_kit import ARTIFACTS, launched
from desk_served import KNOWN_BANK, OTHER_REPORT, PASSWORD, TOP_REPORT, Desk, served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with served(tmp_path_factory.mktemp("desk")) as found:
        yield found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as found:
        yield found


@pytest.fixture
def external() -> list[str]:
    """Requests the page made to anything but the desk itself (must stay empty)."""
    return []


def _page(browser: Browser, desk: Desk, external: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith((desk.url, "data:")) else external.append(r.url),
    )
    return page


def _login(page: Page, desk: Desk, user: str, then: str = "/") -> None:
    page.goto(desk.url + then)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header .user")).to_contain_text(user)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_wrong_password_stays_on_login(browser: Browser, desk: Desk, external: list[str]) -> None:
    page = _page(browser, desk, external)
    page.goto(desk.url + "/")
    page.get_by_label("User name").fill("nina")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error")).to_contain_text("Wrong user name or password")
    _shot(page, "login")
    assert external == []


def test_queue_keyboard_navigation(browser: Browser, desk: Desk, external: list[str]) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "nina")
    rows = page.locator("#referrals tbody tr")
    expect(rows).to_have_count(8)  # scoped: the de-bka referral is not listed
    expect(page.locator("#referrals")).not_to_contain_text(OTHER_REPORT)
    top = rows.first
    expect(top).to_contain_text(TOP_REPORT)
    expect(top.locator(".chip.new")).to_have_text("4 new")
    expect(top.locator(".chip.known")).to_have_text("1 known")
    assert 1 <= top.locator(".chip.factor").count() <= 3  # the "why" chips
    _shot(page, "queue")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("selected"))
    page.keyboard.press("k")
    expect(top).to_have_class(re.compile("selected"))
    page.keyboard.press("/")
    expect(page.locator("#filter-focus")).to_be_focused()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("selected"))
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url("**/referrals/*")
    expect(page.locator("h1")).to_contain_text(TOP_REPORT)
    assert external == []


def test_referral_wall_reveal_and_decision(
    browser: Browser, desk: Desk, external: list[str]
) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "nina")
    page.locator("#referrals tbody tr").first.locator("a").first.click()
    page.wait_for_url("**/referrals/*")
    referral_url = page.url
    wall = page.locator("#wall")
    known = wall.locator(f'[data-sha256="{desk.known_sha256}"]')
    expect(known).to_have_class(re.compile("hidden-media"))
    expect(known.locator("img")).to_have_count(0)  # not rendered at all
    expect(known).to_contain_text(f"cat. 1 · {KNOWN_BANK}")
    blurred = wall.locator("img.blurred")
    expect(blurred).to_have_count(3 + 4)  # three images, four key frames of the clip
    expect(page.locator("video")).to_have_count(0)  # never a player, never autoplay
    for img in blurred.all():
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") > 0
        assert max(img.evaluate("i => [i.naturalWidth, i.naturalHeight]")) <= 160
    expect(page.locator("#links tbody tr")).to_have_count(1)  # shares the reported e-mail
    expect(page.locator("svg#link-graph circle")).to_have_count(2)
    video = wall.locator(f'[data-sha256="{desk.video_sha256}"]')
    expect(video.locator("img")).to_have_count(4)
    _shot(page, "referral")

    tile = wall.locator(".tile.image").first
    tile.locator("button.reveal").click()
    image = tile.locator("img")
    expect(image).to_have_attribute("src", re.compile("^data:image/jpeg;base64,"))
    expect(page.locator("#exposure-count")).to_have_text("1")
    revealed_sha = tile.get_attribute("data-sha256")
    expect(image).to_have_attribute("src", re.compile("/thumbnail"), timeout=9000)  # re-blurred

    form = page.locator("#decision-form")
    form.get_by_label("actionable", exact=True).check()
    form.locator("select").first.select_option("2")
    form.get_by_label("Notes").fill("account active, contact NL unit")
    form.get_by_role("button", name="Record decision").click()
    expect(page.locator("#decision-notice")).to_contain_text("Decision recorded")
    expect(page.locator("ul.decisions")).to_contain_text("actionable by user:nina")

    page.goto(referral_url.replace("/referrals/", "/referrals/") + "/media")
    expect(page.locator("h1")).to_contain_text("Media wall")
    _shot(page, "media-wall")

    auditor = _page(browser, desk, external)
    _login(auditor, desk, "otto", "/audit?action=reveal")
    rows = auditor.locator("#audit tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("user:nina")
    expect(rows.first).to_contain_text((revealed_sha or "")[:24])
    auditor.goto(desk.url + "/audit?action=decide")
    expect(auditor.locator("#audit tbody tr").first).to_contain_text("actionable")
    _shot(auditor, "audit")
    assert external == []


def test_export_package_verifies(
    browser: Browser, desk: Desk, external: list[str], tmp_path: Path
) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "nina")
    page.locator("#referrals tbody tr").first.locator("a").first.click()
    page.get_by_role("button", name="Export package").click()
    link = page.locator("#export-download")
    expect(link).to_be_visible(timeout=20_000)
    with page.expect_download() as info:
        link.click()
    package = tmp_path / "package.zip"
    info.value.save_as(package)
    checked = subprocess.run(
        [sys.executable, "-m", "grace.cli.main", "export", "verify", str(package), "--json"],
        capture_output=True,
        text=True,
        env={"GRACE_HOME": str(desk.home), "PATH": "/usr/bin:/bin"},
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["valid"] is True and report["reasons"] == []
    assert report["members_checked"] >= 4  # manifest, referral data, the new files
    assert external == []


def test_dashboard_and_team_exposure(browser: Browser, desk: Desk, external: list[str]) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "sam", "/dashboard")
    for chart in ("chart-weeks", "chart-esp", "chart-country", "chart-media"):
        expect(page.locator(f"svg#{chart}")).to_be_visible()
    expect(page.locator("svg#chart-esp rect.bar").first).to_be_visible()
    _shot(page, "dashboard")
    page.get_by_role("link", name="Team exposure").click()
    expect(page.locator("h1")).to_contain_text("Team exposure")
    if page.locator("#team-exposure").count():  # after the reveal test (module order)
        expect(page.locator("#team-exposure")).to_contain_text("user:nina")
    _shot(page, "team-exposure")
    assert external == []


def test_other_agency_cannot_open_referral(
    browser: Browser, desk: Desk, external: list[str]
) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "dirk")
    expect(page.locator("#referrals tbody tr")).to_have_count(1)
    response = page.goto(desk.url + "/referrals/1")
    assert response is not None and response.status == 404
    thumb = page.request.get(f"{desk.url}/api/v1/media/{desk.video_sha256}/thumbnail")
    assert thumb.status == 404


SCREENSHOT_DOCS = Path(__file__).parents[2] / "docs" / "manual" / "img"


def _login_any_language(page: Page, desk: Desk, user: str) -> None:
    """Sign in by the form's field names (its labels are in the browser's language)."""
    page.goto(desk.url + "/login")
    page.locator("input[name=username]").fill(user)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("header .user")).to_contain_text(user)


def _manual_shot(page: Page, name: str) -> None:
    """A screenshot for people (test-artifacts/), and for the manual when asked to refresh it
    (GRACE_DOCS_SCREENSHOTS=1 writes docs/manual/img/, which the MkDocs manual shows)."""
    _shot(page, name)
    if os.environ.get("GRACE_DOCS_SCREENSHOTS") == "1":
        SCREENSHOT_DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DOCS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize(
    ("language", "queue_heading", "dashboard_heading"),
    [("en", "Queue", "Dashboard"), ("de", "Warteschlange", "Übersicht")],
)
def test_desk_speaks_the_browser_language(
    browser: Browser,
    desk: Desk,
    external: list[str],
    language: str,
    queue_heading: str,
    dashboard_heading: str,
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=language)
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith(desk.url) else external.append(r.url))
    _login_any_language(page, desk, "sam")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_contain_text(queue_heading)
    _manual_shot(page, f"queue-{language}")
    page.locator("#referrals tbody tr").first.locator("a").first.click()
    page.wait_for_url("**/referrals/*")
    expect(page.locator("#score-sum")).to_be_visible()
    _manual_shot(page, f"referral-{language}")
    page.goto(desk.url + "/dashboard")
    expect(page.locator("h1")).to_contain_text(dashboard_heading)
    _manual_shot(page, f"dashboard-{language}")
    context.close()
    assert external == []


def test_language_menu_changes_the_users_language(
    browser: Browser, desk: Desk, external: list[str]
) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "dirk")
    page.locator("#language-select").select_option("nl")
    page.locator("#language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_contain_text("Wachtrij")
    page.goto(desk.url + "/dashboard")  # kept for the user, not for the page
    expect(page.locator("h1")).to_contain_text("Dashboard")
    expect(page.locator("nav.main-nav")).to_contain_text("Wachtrij")
    page.locator("#language-select").select_option("en")
    page.locator("#language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert external == []


def test_categorised_original_asks_first_and_tiles_keep_their_height(
    browser: Browser, desk: Desk, external: list[str]
) -> None:
    page = _page(browser, desk, external)
    _login(page, desk, "nina")
    page.locator("#referrals tbody tr").first.locator("a").first.click()
    page.wait_for_url("**/referrals/*")
    known = page.locator(f'#wall [data-sha256="{desk.known_sha256}"]')
    link = known.locator("a.download-original")
    asked: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    link.click()
    page.wait_for_timeout(300)
    assert asked and "categorised" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"{desk.known_sha256}.bin"

    tile = page.locator("#wall .tile.image").first
    before = tile.bounding_box()
    tile.locator("button.reveal").click()
    expect(tile.locator("img")).to_have_attribute("src", re.compile("^data:image/jpeg"))
    page.wait_for_timeout(200)
    after = tile.bounding_box()
    assert before and after and abs(before["height"] - after["height"]) < 1.0
    assert external == []
