"""Debian's chromium for the browser tests, and signing in to a desk.

Why one place: every browser test launches the same binary with the same flags (headless,
no sandbox in containers, no background networking, so nothing leaves loopback) and signs
in through the desk's own form; three modules had each written this out again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"  # screenshots (git-ignored)
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@contextmanager
def launched() -> Iterator[Browser]:
    """A chromium for a test module; fails (never skips) where scripts/setup.sh did not run."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: scripts/setup.sh --test installs it")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser: Browser, url: str, user: str, password: str, external: list[str]) -> Page:
    """A fresh context signed in as ``user``; requests to other hosts go to ``external``."""
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith((url, "data:")) else external.append(r.url),
    )
    page.goto(url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header .user")).to_contain_text(user)
    return page
