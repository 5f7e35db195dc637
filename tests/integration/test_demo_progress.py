"""``grace demo`` on a terminal shows a progress bar for each stage of its work (issue 11).

Runs the real command under ``script`` (util-linux), which gives it a pseudo-terminal, as a
user's shell would; rich draws bars only on a terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

STAGES = (
    "generating referrals",
    "ingesting",
    "hashing and matching media",
    "identifiers and routing",
    "scoring referrals",
)


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script is missing")
def test_demo_shows_progress_for_every_stage(tmp_path: Path) -> None:
    grace = Path(sys.executable).with_name("grace")
    command = f"{grace} demo --home {tmp_path / 'home'} --referrals 4 --no-serve"
    typescript = tmp_path / "typescript"
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    done = subprocess.run(
        ["script", "-qec", command, str(typescript)],
        capture_output=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", typescript.read_text(errors="replace"))
    missing = [stage for stage in STAGES if stage not in shown]
    assert missing == [], shown[-3000:]
