"""The exchange pages in a real browser (Debian's chromium through Playwright), on two
nodes that exchanged referrals the real way (``exchange_world``): the receiving analyst
reads the inbox, opens a referral's history across nodes and records an outcome with the
form; the outcome goes back, and the coordinator sees it in the outbox and on the
dashboard. Screenshots land in ``test-artifacts/`` (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_kit import ARTIFACTS, launched, signed_in
from exchange_world import PASSWORD, World, two_nodes
from grace.exchange.outcomes import send_outcomes
from grace.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("exchange-desk")
    europol, nl = Workspace.init(root / "europol"), Workspace.init(root / "nl")
    try:
        with two_nodes(europol, nl, root) as found:
            yield found
    finally:
        nl.close()
        europol.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as found:
        yield found


def _signed_in(browser: Browser, url: str, user: str, external: list[str]) -> Page:
    return signed_in(browser, url, user, PASSWORD, external)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_receiving_analyst_records_an_outcome_the_coordinator_sees(
    browser: Browser, world: World
) -> None:
    external: list[str] = []
    nina = _signed_in(browser, world.nl.url, "nina", external)
    nina.get_by_role("link", name="Inbox", exact=True).click()
    rows = nina.locator("#inbox tbody tr")
    expect(rows).to_have_count(2)  # her agency's packages; the refused one is not hers
    expect(rows.last).to_contain_text("europol")
    expect(rows.last.locator(".chip.exchange-accepted")).to_have_text("accepted")
    expect(rows.first.locator(".chip.exchange-already_present").first).to_be_visible()
    _shot(nina, "exchange-inbox")
    rows.last.get_by_role("link", name="2", exact=True).click()
    nina.wait_for_url("**/referrals/2")
    expect(nina.locator("#exchange")).to_have_text("Across nodes")
    expect(nina.locator(".exchange-arrival h3")).to_contain_text("Received from europol")
    nina.locator(".sender-custody summary").click()
    expect(nina.locator(".sender-custody table")).to_contain_text("europol")
    form = nina.locator("#outcome-form")
    form.get_by_label("arrest or search").check()
    form.get_by_role("button", name="Record outcome").click()
    expect(nina.locator("#outcome-notice")).to_have_text("Outcome recorded.")
    expect(nina.locator("#outcome-list")).to_contain_text("arrest or search")
    _shot(nina, "exchange-referral-history")
    assert [d.delivery for d in send_outcomes(world.nl.workspace, "user:nina")] == ["delivered"]

    coord = _signed_in(browser, world.europol.url, "coord", external)
    coord.goto(world.europol.url + "/exchange/outbox")
    row = coord.locator("#outbox tbody tr", has=coord.locator('a[href="/referrals/2"]'))
    expect(row).to_contain_text("nl-police")
    expect(row).to_contain_text("signed receipt verified")
    expect(row).to_contain_text("arrest or search")
    expect(coord.locator("#outbox")).to_contain_text("outbox folder")  # de-bka's, air-gapped
    _shot(coord, "exchange-outbox")
    coord.get_by_role("link", name="Dashboard").click()
    expect(coord.locator("#outcomes-by-agency")).to_contain_text("nl-police")
    expect(coord.locator("#outcomes-by-agency")).to_contain_text("arrest or search")
    _shot(coord, "exchange-dashboard-outcomes")
    assert external == []
