"""A workspace: one home folder (vault, key, settings) plus one database.

Everything a command needs is opened here, so that the CLI, the web app and the tests
assemble the same objects in the same way.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grace.audit import AuditTrail
from grace.permissions import use_private_umask
from grace.store.db import make_engine, session_factory, upgrade, upgrade_if_behind
from grace.vault import Vault, load_or_create_key
from grace.vault.keyring import load_master_keys

ENV_HOME = "GRACE_HOME"
ENV_DATABASE = "GRACE_DATABASE_URL"
DEFAULT_HOME = "grace-home"
MARKER = "workspace.json"


class WorkspaceError(Exception):
    """The workspace is missing or unusable; the message says what to do."""


def resolve_home(home: Path | str | None = None) -> Path:
    return Path(home or os.environ.get(ENV_HOME) or DEFAULT_HOME).expanduser().resolve()


def resolve_database_url(home: Path, database_url: str | None = None, saved: object = None) -> str:
    """Argument, then environment, then what ``init`` saved, then SQLite in the home."""
    chosen = database_url or os.environ.get(ENV_DATABASE) or saved
    return str(chosen) if chosen else f"sqlite:///{home / 'grace.db'}"


@dataclass
class Workspace:
    """Open handles on a workspace's database, vault and audit trail."""

    home: Path
    database_url: str
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    audit: AuditTrail
    settings: dict[str, object] = field(default_factory=dict)

    @classmethod
    def init(cls, home: Path | str | None = None, database_url: str | None = None) -> Workspace:
        """Create (or bring up to date) a workspace; safe to run twice."""
        root = resolve_home(home)
        use_private_umask()  # the folder 0700, the database, keys and anchors 0600
        root.mkdir(parents=True, exist_ok=True)
        (root / "vault").mkdir(exist_ok=True)
        load_or_create_key(root / "vault.key", create=True)
        marker = root / MARKER
        if not marker.exists():
            created: dict[str, object] = {
                "created_at": datetime.now(UTC).isoformat(),
                "format": 1,
                # Names this workspace in export manifests and federation records.
                "workspace_id": str(uuid.uuid4()),
            }
            if database_url:
                created["database_url"] = database_url
            marker.write_text(json.dumps(created, indent=2) + "\n", encoding="utf-8")
        workspace = cls.open(root, database_url)
        workspace.vault.create_layout()
        upgrade(workspace.engine)
        return workspace

    @classmethod
    def open(cls, home: Path | str | None = None, database_url: str | None = None) -> Workspace:
        """Open an existing workspace, or explain how to create one."""
        root = resolve_home(home)
        if not (root / MARKER).exists():
            raise WorkspaceError(f"no grace workspace at {root}: run `grace init --home {root}`")
        use_private_umask()  # what this process writes here (vault, -wal, anchors) stays 0600
        keys = load_master_keys(root)  # the vault key(s), and the audit key (docs/backup.md)
        settings = json.loads((root / MARKER).read_text(encoding="utf-8"))
        url = resolve_database_url(root, database_url, settings.get("database_url"))
        engine = make_engine(url)
        upgrade_if_behind(engine)
        return cls(
            home=root,
            database_url=url,
            engine=engine,
            sessions=session_factory(engine),
            vault=Vault(root / "vault", keys, home=root),
            audit=AuditTrail(keys.audit_key, root / "audit.anchor.json"),
            settings=settings,
        )

    def close(self) -> None:
        self.engine.dispose()
