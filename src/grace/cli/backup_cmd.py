"""``grace backup`` and ``grace restore``: an encrypted snapshot of a workspace, and back."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from grace.cli.common import HomeOption, JsonOption, actor, console, fail, print_json
from grace.workspace import ENV_DATABASE, Workspace, WorkspaceError

ENV_PASSPHRASE = "GRACE_BACKUP_PASSPHRASE"
MIN_PASSPHRASE = 12

PassphraseOption = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help=f"File whose first line is the passphrase (else ${ENV_PASSPHRASE}).",
        show_default=False,
    ),
]


def _passphrase(path: Path | None) -> bytes:
    """The passphrase from a file or the environment; never echoed, never logged."""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        except OSError as exc:
            fail(f"cannot read passphrase file: {exc.strerror}")
    else:
        text = os.environ.get(ENV_PASSPHRASE, "")
    if len(text) < MIN_PASSPHRASE:
        fail(
            f"a passphrase of at least {MIN_PASSPHRASE} characters is needed "
            f"(--passphrase-file or {ENV_PASSPHRASE})"
        )
    return text.encode("utf-8")


def backup(
    dest: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
    passphrase_file: PassphraseOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write an encrypted, consistent snapshot of the database, the vault and the keys."""
    from grace.backup.create import BackupError, create_backup
    from grace.backup.database import DatabaseCopyError

    secret = _passphrase(passphrase_file)
    started = time.perf_counter()
    try:
        workspace = Workspace.open(home)
    except (WorkspaceError, OSError, ValueError) as exc:
        fail(str(exc))
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("backing up", total=None)
            result = create_backup(
                workspace, dest.resolve(), secret, lambda n: bar.update(task, completed=n)
            )
        details = {
            "file": str(result.path),
            "members": result.members,
            "bytes": result.bytes,
            "manifest_sha256": result.manifest_sha256,
        }
        with workspace.sessions.begin() as session:
            workspace.audit.append(
                session,
                actor=actor(),
                action="backup",
                object_type="workspace",
                object_id=str(workspace.settings.get("workspace_id")),
                details=details,
            )
        workspace.audit.save_anchor()
    except (BackupError, DatabaseCopyError, OSError) as exc:
        fail(f"backup failed: {exc}")
    finally:
        workspace.close()
    seconds = round(time.perf_counter() - started, 2)
    if as_json:
        print_json({**details, "seconds": seconds, "schema_revision": result.schema_revision})
    else:
        console.print(
            f"backup written to [bold]{result.path}[/]: {result.members} members, "
            f"{result.bytes:,} bytes ({result.backend}, {seconds} s)"
        )


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by `grace backup`.")],
    home: Annotated[
        Path, typer.Option("--home", help="New workspace folder to create (must not exist).")
    ],
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar=ENV_DATABASE,
            help="Empty PostgreSQL database for a PostgreSQL backup (default: SQLite in --home).",
        ),
    ] = None,
    passphrase_file: PassphraseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into a new home, then verify its vault and audit trail."""
    from grace.backup.restore import RestoreError, restore_backup
    from grace.backup.stream import BackupCryptoError
    from grace.vault.verify import verify_vault

    secret = _passphrase(passphrase_file)
    started = time.perf_counter()
    try:
        restored = restore_backup(source, secret, home.resolve(), database_url)
    except (BackupCryptoError, RestoreError, OSError, ValueError) as exc:
        fail(f"cannot restore {source}: {exc}")
    workspace = Workspace.open(restored.home, restored.database_url)
    try:
        with workspace.sessions() as session:
            vault = verify_vault(session, workspace.vault)
            audit = workspace.audit.verify(session)
        with workspace.sessions.begin() as session:
            workspace.audit.append(
                session,
                actor=actor(),
                action="restore",
                object_type="workspace",
                object_id=str(workspace.settings.get("workspace_id")),
                details={
                    "file": str(source.resolve()),
                    "manifest_sha256": restored.manifest_sha256,
                    "vault_ok": vault.ok,
                    "audit_ok": audit.ok,
                },
            )
        workspace.audit.save_anchor()
    finally:
        workspace.close()
    ok = vault.ok and audit.ok
    problems = vault.problems + audit.problems
    info = {
        "ok": ok,
        "home": str(restored.home),
        "objects": vault.checked,
        "events": audit.events,
        "problems": problems,
        "created_at": restored.manifest.get("created_at"),
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        print_json(info)
    else:
        for problem in problems:
            console.print(f"[red]problem:[/] {problem}", highlight=False)
        verdict = "verified" if ok else "restored, but verification FAILED"
        console.print(
            f"{verdict}: {restored.home} ({vault.checked} objects, "
            f"{audit.events} audit events, backup of {info['created_at']})"
        )
    raise typer.Exit(0 if ok else 1)
