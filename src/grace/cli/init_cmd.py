"""``grace init``: create a workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from grace.cli.common import HomeOption, JsonOption, actor, console, fail, print_json
from grace.permissions import permission_warning
from grace.workspace import ENV_DATABASE, Workspace


def init(
    home: HomeOption = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar=ENV_DATABASE,
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
            "(default: SQLite in the home).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a workspace: folder, vault key (0600), database schema. Safe to re-run."""
    try:
        workspace = Workspace.init(home, database_url)
    except Exception as exc:
        fail(f"cannot create workspace: {' '.join(str(exc).split())}")
    with workspace.sessions.begin() as session:
        workspace.audit.append(
            session,
            actor=actor(),
            action="init",
            object_type="workspace",
            object_id=str(workspace.home),
        )
    workspace.audit.save_anchor()
    info = {
        "home": str(workspace.home),
        "database": workspace.engine.url.render_as_string(hide_password=True),
    }
    workspace.close()
    warning = permission_warning(workspace.home)
    if warning:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if as_json:
        print_json(info)
    else:
        console.print(f"workspace ready at [bold]{info['home']}[/] (database {info['database']})")
