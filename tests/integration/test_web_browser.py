"""The served UI in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders import write_grace_bundle
from grace.ingest.pipeline import IngestPipeline
from grace.media.process import MediaProcessor
from grace.workspace import Workspace

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "home"
    workspace = Workspace.init(home)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(6):
        write_grace_bundle(inbox, n, images=1)
    assert IngestPipeline(workspace).run([inbox]).ok
    MediaProcessor(workspace, "test", workers=1).run()
    workspace.close()
    port = _free_port()
    env = {**os.environ, "GRACE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grace.cli.main", "serve", "--port", str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_queue_lists_referrals_and_opens_one(served: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: scripts/setup.sh --test installs it")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page()
        external: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(served) else external.append(r.url))
        page.goto(served + "/")
        rows = page.locator("#referrals tbody tr")
        assert rows.count() == 6
        assert page.locator("#total").inner_text() == "6"
        assert "escalated" in (rows.first.get_attribute("class") or "")
        assert rows.first.locator(".chip.new").inner_text() == "1 new"  # its one drawn image
        page.screenshot(path=str(ARTIFACTS / "referral-list.png"), full_page=True)
        rows.first.locator("a").click()
        page.wait_for_url("**/referrals/*")
        assert "Referral" in page.locator("h1").inner_text()
        assert page.locator("text=user5@example.com").count() == 1  # T-00005: escalated, newest
        page.screenshot(path=str(ARTIFACTS / "referral-page.png"), full_page=True)
        browser.close()
    assert external == [], f"the UI asked for external resources: {external}"
