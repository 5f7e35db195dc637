"""The ``grace`` console script end to end, as an operator uses it (real processes, real files)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from builders import write_grace_bundle

GRACE = [sys.executable, "-m", "grace.cli.main"]


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRACE_HOME": str(home)}
    env.pop("GRACE_DATABASE_URL", None)
    return subprocess.run([*GRACE, *args], capture_output=True, text=True, env=env, timeout=120)


def test_init_ingest_list_show_verify(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run("init", home=home).returncode == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(3):
        write_grace_bundle(inbox, n, images=1, as_zip=n == 1)
    ingest = run("ingest", str(inbox), "--json", home=home)
    assert ingest.returncode == 0, ingest.stderr
    lines = [json.loads(line) for line in ingest.stdout.splitlines()]
    assert [line["status"] for line in lines[:-1]] == ["ingested"] * 3
    assert lines[-1]["summary"]["media"]["analysed"] == 3
    again = run("ingest", str(inbox), home=home)
    assert again.returncode == 0 and "already present 3" in again.stderr

    listed = json.loads(run("referrals", "list", "--json", home=home).stdout)
    assert len(listed) == 3
    shown = run("referrals", "show", str(listed[0]["id"]), "--json", home=home)
    assert json.loads(shown.stdout)["id"] == listed[0]["id"]
    missing = run("referrals", "show", "999999", home=home)
    assert missing.returncode == 1 and "no referral with id 999999" in missing.stderr

    assert run("vault", "verify", home=home).returncode == 0
    assert run("audit", "verify", home=home).returncode == 0


def test_verify_commands_fail_after_tampering(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run("init", home=home)
    bundle = write_grace_bundle(tmp_path, 1, images=1)
    assert run("ingest", str(bundle), home=home).returncode == 0

    objects = sorted((home / "vault" / "objects").glob("???/*"))
    victim = objects[0]
    victim.chmod(0o600)
    data = bytearray(victim.read_bytes())
    data[20] ^= 0xFF
    victim.write_bytes(bytes(data))
    result = run("vault", "verify", "--json", home=home)
    assert result.returncode == 1
    assert json.loads(result.stdout)["problems"][0].startswith(victim.name)

    with sqlite3.connect(home / "grace.db") as db:
        db.execute('UPDATE audit_events SET details = \'{"source": "elsewhere"}\' WHERE seq = 2')
    audit = run("audit", "verify", home=home)
    assert audit.returncode == 1 and "edited" in audit.stderr


def test_ingest_of_bad_input_exits_1_with_one_line_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run("init", home=home)
    bad = tmp_path / "broken.json"
    bad.write_bytes(b'{"reportId": "1", "reportedInformation": {')
    good = write_grace_bundle(tmp_path, 2, images=1, as_zip=True)
    result = run("ingest", str(bad), str(good), home=home)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0]
    assert "ingested 1" in result.stderr


def test_commands_without_workspace_explain_what_to_do(tmp_path: Path) -> None:
    result = run("referrals", "list", home=tmp_path / "nowhere")
    assert result.returncode == 1
    assert "grace init" in result.stderr


def _commands() -> list[str]:
    """Every leaf command of the CLI, found from the app itself (so none can be missed)."""
    import click
    import typer.main

    from grace.cli.main import app

    found: list[str] = []

    def walk(command: Any, prefix: str) -> None:
        if isinstance(command, click.Group):  # lazy groups list commands they have not loaded
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{prefix} {name}".strip())
        else:
            found.append(prefix)

    walk(typer.main.get_command(app), "")
    return found


# Commands that never open a workspace (they work on files or in memory), so --home would lie.
# The cluster commands run Dask processes and certificates; the client that submits work names
# the workspace in each task.
WORKSPACE_FREE = {
    "hash", "export verify", "fl simulate", "fl certs", "fl keygen",
    "cluster certs", "cluster up", "cluster status", "worker",
}


def test_every_command_is_documented_in_readme_and_help() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    from typer.testing import CliRunner

    from grace.cli.main import app

    runner = CliRunner()
    commands = _commands()
    assert len(commands) >= 15
    for command in commands:
        assert f"grace {command}" in readme, f"README does not document `grace {command}`"
        out = runner.invoke(app, [*command.split(), "--help"])
        assert out.exit_code == 0, out.output
        if command not in WORKSPACE_FREE:
            assert "--home" in out.output, f"`grace {command}` takes no --home"
