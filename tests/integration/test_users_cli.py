"""``grace users`` and the demo accounts, in process against a real SQLite workspace."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from grace.cli.main import app
from grace.web import create_app
from grace.workspace import Workspace

runner = CliRunner()


def grace(home: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--home", str(home)], input=stdin)
    return result.exit_code, result.stdout


def test_add_list_passwd_token_disable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Workspace.init(home).close()
    code, out = grace(home, "users", "add", "alice", "--role", "admin", "--json")
    assert code == 0
    generated = json.loads(out)["password"]
    assert len(generated) >= 16
    code, _ = grace(
        home,
        "users",
        "add",
        "bob",
        "--role",
        "analyst",
        "--agency",
        "NL-Police",
        "--password-stdin",
        stdin="a long benign passphrase\n",
    )
    assert code == 0
    assert grace(home, "users", "add", "bob", "--role", "analyst", "--agency", "nl-police")[0] == 1
    assert grace(home, "users", "add", "eve", "--role", "analyst")[0] == 1  # needs an agency
    assert grace(home, "users", "add", "eve", "--role", "king")[0] == 1
    listed = json.loads(grace(home, "users", "list", "--json")[1])
    assert [(u["username"], u["role"], u["agency"]) for u in listed] == [
        ("alice", "admin", None),
        ("bob", "analyst", "nl-police"),
    ]
    code, token = grace(home, "users", "token", "bob", "--name", "script")
    assert code == 0 and token.strip().startswith("grace_")
    code, out = grace(home, "users", "passwd", "bob")
    new_password = out.strip().splitlines()[-1]
    workspace = Workspace.open(home)
    client = TestClient(create_app(workspace))
    bearer = {"Authorization": f"Bearer {token.strip()}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["agency"] == "nl-police"
    login = {"username": "bob", "password": "a long benign passphrase"}
    assert client.post("/api/v1/auth/login", json=login).status_code == 401  # changed
    login["password"] = new_password
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    assert grace(home, "users", "disable", "bob")[0] == 0
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    assert grace(home, "users", "disable", "nobody")[0] == 1
    with workspace.sessions() as session:
        assert workspace.audit.verify(session).ok
    workspace.close()
