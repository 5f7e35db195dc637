"""The storage contract suite runs every test against SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grace.workspace import Workspace
from pg import worker_database


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    url = None
    if request.param == "postgresql":
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        url = worker_database(worker)
    ws = Workspace.init(tmp_path / "home", url)
    yield ws
    ws.close()
