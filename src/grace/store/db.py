"""Engine creation and schema migration, identical for SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and enforced foreign keys, as a server DB would."""
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package.

    Alembic is imported here, not at module level: every CLI command opens a workspace, and
    importing Alembic costs start-up time that only a migration needs."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def upgrade_if_behind(engine: Engine) -> bool:
    """Apply pending migrations when the database is behind this version of grace.

    An embedded, single-team tool should not make users run a separate migration command
    after upgrading; the check itself is one small query. When the stored revision is the
    head found by ``_script_head`` the check ends there, without importing Alembic (which
    pulls in every SQL dialect and costs CLI start-up time); anything else asks Alembic.
    """
    head_guess = _script_head()
    if head_guess is not None and _stored_revision(engine) == head_guess:
        return False
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return False
    upgrade(engine)
    return True


def _script_head() -> str | None:
    """The single head revision of the shipped migrations, read with ``ast`` (not imported).

    None when it is not one plain chain of literal ``revision``/``down_revision`` strings
    (branches, merges, computed values): the caller then asks Alembic, which knows better.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = _literal_assignments(path, ("revision", "down_revision"))
        revision, parent = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str) or not isinstance(parent, str | None):
            return None
        revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _literal_assignments(path: Path, names: tuple[str, ...]) -> dict[str, object]:
    values: dict[str, object] = {}
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return values
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    values[target.id] = ...
    return values


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in ``alembic_version``, or None if there is not exactly one."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
