"""``grace users``: local accounts of the analyst desk and their API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from grace.accounts import ROLES, AccountError
from grace.accounts.secrets_ import generated_password
from grace.accounts.sessions import disable_user
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user, list_users, set_password
from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    print_json,
)
from grace.workspace import Workspace

app = typer.Typer(help="Accounts of the analyst desk: add, list, disable, passwords, tokens.")
Username = Annotated[str, typer.Argument(help="Account name (no spaces).")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input."),
]


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password to set, and whether it was generated (and so must be printed once)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return generated_password(), True


def _audit(workspace: Workspace, action: str, username: str, **details: object) -> None:
    with workspace.sessions.begin() as session:
        workspace.audit.append(
            session,
            actor=actor(),
            action=action,
            object_type="user",
            object_id=username,
            details=dict(details),
        )
    workspace.audit.save_anchor()


@app.command("add")
def add(
    username: Username,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    agency: Annotated[
        str | None,
        typer.Option(help="Agency id from the routing table (the coordinator's sees all)."),
    ] = None,
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an account. Without --password-stdin a password is generated and printed once."""
    password, generated = _password(password_stdin)
    with open_workspace(home) as workspace:
        try:
            with workspace.sessions.begin() as session:
                user = add_user(session, username, password, role, agency)
        except AccountError as exc:
            fail(str(exc))
        _audit(workspace, "user_created", user.username, role=user.role, agency=user.agency)
    shown = password if generated else None
    if as_json:
        print_json(
            {"username": user.username, "role": user.role, "agency": user.agency, "password": shown}
        )
        return
    console.print(f"user [bold]{user.username}[/] ({user.role}, {user.agency or 'all agencies'})")
    if shown:
        console.print("password (shown once): ", end="")
        sys.stdout.write(shown + "\n")


@app.command("list")
def list_(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every account with its role and agency."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        users = list_users(session)
    if as_json:
        print_json(users)
        return
    table = Table("username", "role", "agency", "disabled", "created")
    for u in users:
        table.add_row(
            u["username"],
            u["role"],
            u["agency"] or "-",
            "yes" if u["disabled"] else "",
            u["created_at"][:19],
        )
    console.print(table if users else "no users yet: grace users add NAME --role admin")


@app.command("disable")
def disable(username: Username, home: HomeOption = None) -> None:
    """Disable an account: its sessions end and its API tokens stop working."""
    with open_workspace(home) as workspace:
        try:
            with workspace.sessions.begin() as session:
                disable_user(session, username)
        except AccountError as exc:
            fail(str(exc))
        _audit(workspace, "user_disabled", username)
    console.print(f"user {username} disabled")


@app.command("passwd")
def passwd(
    username: Username, password_stdin: PasswordStdin = False, home: HomeOption = None
) -> None:
    """Set a new password (generated and printed once unless --password-stdin)."""
    password, generated = _password(password_stdin)
    with open_workspace(home) as workspace:
        try:
            with workspace.sessions.begin() as session:
                set_password(session, username, password)
        except AccountError as exc:
            fail(str(exc))
        _audit(workspace, "password_changed", username)
    console.print(f"password of {username} changed")
    if generated:
        console.print("password (shown once): ", end="")
        sys.stdout.write(password + "\n")


@app.command("token")
def token(
    username: Username,
    name: Annotated[str, typer.Option(help="What the token is for (shown in listings).")] = "cli",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API token and print it once (send as: Authorization: Bearer TOKEN)."""
    with open_workspace(home) as workspace:
        try:
            with workspace.sessions.begin() as session:
                row, secret = create_token(session, username, name)
        except AccountError as exc:
            fail(str(exc))
        _audit(workspace, "token_created", username, name=name, id=row.id)
    if as_json:
        print_json({"id": row.id, "name": row.name, "owner": username, "token": secret})
        return
    console.print(f"token {row.id} ({name}) for {username}, shown once:")
    sys.stdout.write(secret + "\n")
