"""A served desk workspace for the browser tests: benign referrals, a hash set that matches
one image, a video, users of two agencies and an auditor; ``grace serve`` on a free port."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from builders import (
    encoded,
    grace_referral,
    textured_image,
    write_grace_bundle,
    write_media_referral,
)
from desk_builders import benign_clip
from grace.accounts.users import add_user
from grace.banks.repository import BankKind, import_bank
from grace.ingest.pipeline import IngestPipeline
from grace.intel.service import IntelProcessor
from grace.media.process import MediaProcessor
from grace.model import Location
from grace.triage.service import run_triage
from grace.workspace import Workspace
from net import free_port

# argon2 at full strength takes about a second per hash on a busy CI machine
os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "correct-horse-battery"
KNOWN_BANK = "unit-known-set"
TOP_REPORT = "T-00100"
OTHER_REPORT = "T-00200"
USERS = {
    "nina": ("analyst", "nl-police"),
    "sam": ("supervisor", "nl-police"),
    "dirk": ("analyst", "de-bka"),
    "otto": ("auditor", None),
}


@dataclass(frozen=True)
class Desk:
    url: str
    home: Path
    known_sha256: str
    video_sha256: str


def build_workspace(root: Path) -> tuple[Path, str, str]:
    """Ingest, match, route and score; the top referral holds a known image and a video."""
    home = root / "home"
    workspace = Workspace.init(home)
    inbox = root / "inbox"
    inbox.mkdir()
    for n in range(1, 7):
        write_grace_bundle(inbox, n, images=1)
    known = encoded(textured_image(901), quality=90)
    clip = benign_clip()
    media = {
        "known.jpg": known,
        "scene-a.png": encoded(textured_image(902), "PNG"),
        "scene-b.jpg": encoded(textured_image(903), quality=90),
        "scene-c.jpg": encoded(textured_image(904), quality=90),
        "clip.mp4": clip,
    }
    write_media_referral(inbox, TOP_REPORT, media)
    _write_referral(inbox, 200, "DE")  # routed to de-bka: NL users never see it
    _write_referral(inbox, 101, "NL", email="user100@example.com")  # linked to the top one
    md5 = hashlib.md5(known, usedforsecurity=False).hexdigest()
    bank = f"md5,category\n{md5},1\n".encode()
    import_bank(workspace, bank, "known.csv", name=KNOWN_BANK, kind=BankKind.KNOWN, actor="test")
    assert IngestPipeline(workspace).run([inbox]).ok
    MediaProcessor(workspace, "test", workers=1).run()
    IntelProcessor(workspace, "test").run()
    run_triage(workspace, "rules_v1", "test")
    with workspace.sessions.begin() as session:
        for name, (role, agency) in USERS.items():
            add_user(session, name, PASSWORD, role, agency)
    workspace.close()
    return home, hashlib.sha256(known).hexdigest(), hashlib.sha256(clip).hexdigest()


def _write_referral(inbox: Path, n: int, country: str, email: str | None = None) -> None:
    """A one-image referral located in ``country``; ``email`` overrides its account's."""
    referral = grace_referral(n, [f"r{n}.png"])
    for party in referral.parties:
        party.location = Location(country_code=country)
        party.emails = [email] if email else party.emails
    folder = inbox / f"T-{n:05d}"
    folder.mkdir()
    (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    (folder / f"r{n}.png").write_bytes(encoded(textured_image(800 + n), "PNG"))


@contextmanager
def served(root: Path) -> Iterator[Desk]:
    """``grace serve`` in a child process, as an operator would run it."""
    home, known, video = build_workspace(root)
    port = free_port()
    env = {**os.environ, "GRACE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grace.cli.main", "serve", "--port", str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield Desk(url, home, known, video)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
