"""CLI start-up: commands load lazily, heavy libraries stay out, and every --help still works."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
import typer.main

from grace.cli.lazy import load_click_command
from grace.cli.main import COMMANDS, app

HEAVY = ("sklearn", "numba", "onnxruntime", "flwr", "av", "torch", "scipy", "alembic")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import json, sys; import grace.cli.main; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    assert json.loads(_python(code).stdout) == []


def test_help_imports_no_command_module() -> None:
    code = (
        "import json, sys\n"
        "from grace.cli.main import app\n"
        "sys.argv = ['grace', '--help']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "mods = [m for m in sys.modules if m.endswith('_cmd') or m.endswith('_cmds')"
        f" or m.split('.')[0] in {list(HEAVY)!r}]\n"
        "sys.stderr.write(json.dumps(mods))\n"
    )
    done = _python(code)
    assert json.loads(done.stderr) == []
    for name in COMMANDS:
        assert f" {name} " in done.stdout


def test_grace_help_in_a_real_process_lists_every_command() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "grace.cli.main", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for name, spec in COMMANDS.items():
        assert f" {name} " in done.stdout and spec.summary[:40] in done.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_in_the_registry_is_the_commands_own_help(name: str) -> None:
    """The summary ``grace --help`` shows without importing must be the command's help."""
    command = load_click_command(name, COMMANDS[name])
    first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
    assert COMMANDS[name].summary == first_paragraph


def test_unknown_command_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grace.cli.main", "no-such-verb"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "No such command" in done.stderr


def test_every_subcommand_help_renders() -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    root = typer.main.get_command(app)
    assert isinstance(root, click.Group)
    ctx = click.Context(root)
    count = 0
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        assert command is not None
        subs = [[name]]
        if isinstance(command, click.Group):
            subs += [[name, sub] for sub in command.list_commands(click.Context(command))]
        for argv in subs:
            out = runner.invoke(app, [*argv, "--help"])
            assert out.exit_code == 0, (argv, out.output)
            assert "Usage:" in out.output
            count += 1
    assert count >= 40
