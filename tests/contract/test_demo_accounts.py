"""Demo accounts of ``grace demo``: one per role, created once, passwords printed again."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import update

from api_setup import build_desk
from grace.accounts.demo import FILE, ensure_demo_accounts
from grace.store.tables import Referral
from grace.workspace import Workspace


def test_demo_accounts_are_created_once_and_printed_again(
    workspace: Workspace, tmp_path: Path
) -> None:
    desk = build_desk(workspace, tmp_path)  # referrals of nl-police, de-bka and europol
    with workspace.sessions.begin() as session:
        session.execute(update(Referral).where(Referral.id == 4).values(agency="nl-police"))
    first = ensure_demo_accounts(workspace)
    by_name = {a["username"]: a for a in first}
    assert by_name["analyst"]["agency"] == "nl-police"  # the busiest national agency
    assert by_name["europol"]["agency"] == "europol" and by_name["admin"]["role"] == "admin"
    assert ensure_demo_accounts(workspace) == first  # idempotent: same users, same passwords
    assert stat.S_IMODE(os.stat(workspace.home / FILE).st_mode) == 0o600
    client = desk.client()
    login = {"username": "analyst", "password": by_name["analyst"]["password"]}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    assert client.get("/api/v1/referrals").json()["total"] == 4
