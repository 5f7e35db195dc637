"""Demo accounts for ``grace demo``: one per role, passwords generated once.

The passwords are kept in ``HOME/demo-accounts.json`` (owner-only permissions) so that a
re-run of the demo can print them again; a real deployment creates users with
``grace users add`` and no such file exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import func, select

from grace.accounts.agencies import coordinator_id
from grace.accounts.secrets_ import generated_password
from grace.accounts.users import add_user
from grace.store.account_tables import User
from grace.store.tables import Referral
from grace.workspace import Workspace

FILE = "demo-accounts.json"


def _busiest_agency(workspace: Workspace) -> str | None:
    """The national agency with the most demo referrals (its analyst has work to do)."""
    with workspace.sessions() as session:
        row = session.execute(
            select(Referral.agency, func.count())
            .where(Referral.agency.is_not(None), Referral.agency != coordinator_id())
            .group_by(Referral.agency)
            .order_by(func.count().desc(), Referral.agency)
            .limit(1)
        ).first()
    return str(row[0]) if row else None


def ensure_demo_accounts(workspace: Workspace) -> list[dict[str, str | None]]:
    """Create the demo accounts that do not exist yet; return all with known passwords."""
    path = workspace.home / FILE
    known: dict[str, str] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    national = _busiest_agency(workspace)
    wanted: list[tuple[str, str, str | None]] = [
        ("admin", "admin", None),
        ("europol", "analyst", coordinator_id()),
        ("auditor", "auditor", None),
    ]
    if national:
        wanted[2:2] = [("analyst", "analyst", national), ("supervisor", "supervisor", national)]
    accounts: list[dict[str, str | None]] = []
    with workspace.sessions.begin() as session:
        existing = set(session.scalars(select(User.username)))
        for username, role, agency in wanted:
            if username not in existing:
                known[username] = generated_password()
                add_user(session, username, known[username], role, agency)
            accounts.append(
                {
                    "username": username,
                    "role": role,
                    "agency": agency,
                    "password": known.get(username),
                }
            )
    _save(path, known)
    return accounts


def _save(path: Path, known: dict[str, str]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(known, out, indent=2)
    tmp.replace(path)
