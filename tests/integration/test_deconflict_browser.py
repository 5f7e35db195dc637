"""The deconfliction alerts in a real browser (Debian's chromium through Playwright), after a
real sync between a coordinator and two agencies (``deconflict_world``): an nl-police
analyst opens the alerts from the navigation, follows one to her referral, sees the alert
there and its filtered list, and reads the page in German; a be-fjp analyst on the same node
sees only her agency's alerts. No page shows an identifier, and nothing leaves loopback.
Screenshots land in ``test-artifacts/`` (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_kit import ARTIFACTS, launched, signed_in
from deconflict_world import PASSWORD, DeconflictWorld, deconflicted
from grace.deconflict.sync import read_notices

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeconflictWorld]:
    with deconflicted(tmp_path_factory.mktemp("deconflict-browser")) as found:
        yield found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as found:
        yield found


def _signed_in(browser: Browser, url: str, user: str, external: list[str]) -> Page:
    return signed_in(browser, url, user, PASSWORD, external)


def _mine(world: DeconflictWorld, agency: str) -> list[dict[str, object]]:
    return [
        n for n in read_notices(world.nl) if world.agency_of[int(str(n["referral_id"]))] == agency
    ]


def test_analyst_follows_an_alert_to_her_referral(browser: Browser, world: DeconflictWorld) -> None:
    external: list[str] = []
    mine = _mine(world, "nl-police")
    assert mine
    nina = _signed_in(browser, world.url, "nina", external)
    nina.get_by_role("link", name="Deconfliction", exact=True).click()
    nina.wait_for_url("**/deconflict/alerts")
    rows = nina.locator("#deconflict-alerts tbody tr")
    expect(rows).to_have_count(len(mine))
    expect(nina.locator("#deconflict-alerts")).to_contain_text("de-bka")
    text = nina.locator("main").inner_text()
    assert all(value not in text for value in world.identifiers)
    ARTIFACTS.joinpath("deconflict-alerts.png").write_bytes(nina.screenshot(full_page=True))
    first = mine[0]
    row = rows.filter(has_text=str(first["other_ref"])).first
    row.get_by_role("link", name=str(first["referral_id"]), exact=True).click()
    nina.wait_for_url(f"**/referrals/{first['referral_id']}")
    expect(nina.locator("#deconflict-notices")).to_contain_text(str(first["other_ref"]))
    expect(nina.locator("#deconflict-notices")).to_contain_text("de-bka")
    nina.get_by_role("link", name="Deconfliction alerts for this referral").click()
    expect(nina.locator("#deconflict-alerts tbody tr")).to_have_count(
        sum(1 for n in mine if n["referral_id"] == first["referral_id"])
    )
    nina.locator("#language-select").select_option("de")
    nina.get_by_role("button", name="change").click()
    expect(nina.locator("h1")).to_contain_text("Deconfliction-Hinweise")
    ARTIFACTS.joinpath("deconflict-alerts-de.png").write_bytes(nina.screenshot(full_page=True))

    kim = _signed_in(browser, world.url, "kim", external)
    kim.goto(world.url + "/deconflict/alerts")
    theirs = _mine(world, "be-fjp")
    expect(kim.locator("#deconflict-alerts tbody tr")).to_have_count(len(theirs))
    for notice in mine:
        expect(kim.locator(f'a[href="/referrals/{notice["referral_id"]}"]')).to_have_count(0)
    assert external == []
