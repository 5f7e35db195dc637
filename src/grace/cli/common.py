"""Options, output and error handling shared by every verb."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from grace.workspace import ENV_HOME, Workspace, WorkspaceError

console = Console(stderr=True, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar=ENV_HOME,
        help="Workspace folder (vault, key, settings). Default: ./grace-home.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit."""
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def open_workspace(home: Path | None) -> Iterator[Workspace]:
    try:
        workspace = Workspace.open(home)
    except (WorkspaceError, OSError, ValueError) as exc:
        fail(str(exc))
    try:
        yield workspace
    finally:
        workspace.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def actor() -> str:
    """Who is acting, for the audit trail: the operating-system user of the CLI."""
    return f"cli:{os.environ.get('USER') or os.environ.get('USERNAME') or 'unknown'}"


def record_cli_view(
    session: Session, workspace: Workspace, object_type: str, object_id: str
) -> None:
    """Audit that the operator at this terminal viewed an object, in the caller's transaction
    (the caller saves the audit anchor after commit, as every audited write does)."""
    workspace.audit.append(
        session,
        actor=actor(),
        action="view",
        object_type=object_type,
        object_id=object_id,
        details={"via": "cli"},
    )
