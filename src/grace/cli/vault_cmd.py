"""``grace vault rotate-key``: a new master key for the vault, without re-encrypting evidence."""

from __future__ import annotations

import os

import typer
from rich.progress import Progress

from grace.cli.common import HomeOption, JsonOption, actor, console, fail, print_json
from grace.vault.keyring import ENV_NEXT_KEY
from grace.vault.keys import ENV_KEY, VaultKeyError
from grace.vault.rotate import RotationReport, rotate
from grace.workspace import Workspace, WorkspaceError


def rotate_key(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Re-wrap every object's data key with a new master key, then retire the old key.

    Safe to interrupt and re-run. Stop other grace processes that write (ingest, serve)
    first. With GRACE_VAULT_KEY, supply the new key in GRACE_VAULT_NEXT_KEY.
    """
    try:
        workspace = Workspace.open(home)
    except (WorkspaceError, VaultKeyError, OSError, ValueError) as exc:
        fail(str(exc))
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("re-wrapping data keys", total=None)
            report = rotate(
                workspace.home,
                workspace.vault.root,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
    except VaultKeyError as exc:
        workspace.close()
        fail(str(exc))
    _audit(workspace, report)
    workspace.close()
    _print(report, as_json)
    raise typer.Exit(0 if report.ok else 1)


def _audit(workspace: Workspace, report: RotationReport) -> None:
    """Record the rotation (key ids and counts only: never key material)."""
    with workspace.sessions.begin() as session:
        workspace.audit.append(
            session,
            actor=actor(),
            action="vault_rotate_key",
            object_type="vault",
            object_id="vault",
            details={
                "old_key": report.old_key,
                "new_key": report.new_key,
                "objects": report.objects,
                "rewrapped": report.rewrapped,
                "converted": report.converted,
                "problems": len(report.problems),
                "retired": report.retired,
            },
        )
    workspace.audit.save_anchor()


def _print(report: RotationReport, as_json: bool) -> None:
    if as_json:
        print_json({"ok": report.ok, **report.__dict__})
        return
    for problem in report.problems:
        console.print(f"[red]not re-wrapped:[/] {problem}", highlight=False)
    console.print(
        f"vault: {report.objects} objects, {report.rewrapped} re-wrapped, "
        f"{report.converted} converted from the first format, {report.already} already on "
        f"key {report.new_key}"
    )
    if not report.retired:
        console.print(f"old key {report.old_key} kept: fix the problems above and re-run")
    elif os.environ.get(ENV_KEY):
        console.print(
            f"key {report.old_key} retired: now set {ENV_KEY} to the new key "
            f"(the value of {ENV_NEXT_KEY}) and unset {ENV_NEXT_KEY}"
        )
    else:
        console.print(f"key {report.old_key} retired; vault.key now holds key {report.new_key}")
