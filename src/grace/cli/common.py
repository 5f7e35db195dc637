"""Options, output and error handling shared by every verb."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
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


def piped() -> bool:
    """True when standard output is not a terminal (a pipe, a file, a test harness)."""
    return not sys.stdout.isatty()


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], title: str | None = None
) -> None:
    """A table on standard output: rich on a terminal; tab-separated whole values when piped.

    Rich tables fit the terminal width, so on a pipe (80 columns) they cut hashes, names and
    reasons short; scripts need every value whole. The TSV has a header line; a tab or line
    break inside a value becomes a space. Values are printed as they are (no rich markup).
    """
    if piped():
        lines = ["\t".join(_cell(c) for c in columns)]
        lines += ["\t".join(_cell(v) for v in row) for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    from rich.table import Table

    table = Table(title=title)
    for column in columns:  # wrap a long value onto more lines, never cut it with "…"
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(_cell(v)) for v in row))
    Console().print(table)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.replace("\t", " ").splitlines()) if "\t" in text or "\n" in text else text


def actor() -> str:
    """Who is acting, for the audit trail: the operating-system user of the CLI.

    $USER is unset under cron, systemd and many containers; the account the process runs
    as is then asked of the operating system, so the audit never says just "unknown".
    """
    name = os.environ.get("USER") or os.environ.get("USERNAME") or _os_account()
    return f"cli:{name or 'unknown'}"


def _os_account() -> str | None:
    try:
        import pwd  # POSIX only

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        pass
    try:
        return getpass.getuser()  # Windows: %USERNAME% and the like
    except (ImportError, KeyError, OSError):
        return None


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
