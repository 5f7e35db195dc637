"""Dask is optional (issue 14): nothing imports it unless a cluster is used.

A fresh interpreter imports the CLI, then runs ordinary commands in-process (``init``,
``ingest`` with media processing and the intelligence stage, ``--help`` of the cluster
commands) and the cluster modules that only name Dask inside functions; neither ``dask``
nor ``distributed`` may appear in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from typer.testing import CliRunner
import grace.cli.main as main
import grace.cluster.run, grace.cluster.tasks, grace.cluster.local, grace.cli.cluster_ingest
from grace.demo import generate
home, out = sys.argv[1], sys.argv[2]
batch = generate(__import__("pathlib").Path(out), 1, 3)
runner = CliRunner()
codes = [
    runner.invoke(main.app, ["init", "--home", home]).exit_code,
    runner.invoke(main.app, ["ingest", "--home", home, "--json", str(batch.input_dir)]).exit_code,
    runner.invoke(main.app, ["cluster", "up", "--help"]).exit_code,
    runner.invoke(main.app, ["worker", "--help"]).exit_code,
]
loaded = [m for m in ("dask", "distributed") if m in sys.modules]
print(json.dumps({"codes": codes, "loaded": loaded}))
"""


def test_ordinary_commands_do_not_import_dask(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "home"), str(tmp_path / "batch")],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0, 0, 0, 0], "loaded": []}

