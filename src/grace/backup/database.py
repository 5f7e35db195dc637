"""A consistent copy of the database, and putting one back.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
snapshot page by page while other processes keep writing. PostgreSQL: ``pg_dump`` in its
custom format (one transaction, so one snapshot) and ``pg_restore`` into an empty
database. The password never appears on a command line (other local users can read
those): it travels in ``PGPASSWORD``.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

SQLITE_MEMBER = "database/grace.sqlite3"
PG_MEMBER = "database/grace.pgdump"


class DatabaseCopyError(Exception):
    """The database could not be dumped or restored; the message says why."""


def backend(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.scalar(text("SELECT version_num FROM alembic_version"))
    return None if value is None else str(value)


def dump(url: str, target: Path) -> str:
    """Write a consistent snapshot of the database to ``target``; return its member name."""
    parsed = make_url(url)
    if backend(url) == "sqlite":
        source = sqlite3.connect(str(parsed.database), timeout=30)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    _run_pg("pg_dump", parsed, ["--format=custom", "--no-owner", f"--file={target}"])
    return PG_MEMBER


def restore(member: str, source: Path, url: str) -> None:
    """Put a snapshot back: copy the SQLite file, or ``pg_restore`` into an empty database."""
    parsed = make_url(url)
    wanted = SQLITE_MEMBER if backend(url) == "sqlite" else PG_MEMBER
    if member != wanted:
        kind = "SQLite" if member == SQLITE_MEMBER else "PostgreSQL"
        raise DatabaseCopyError(
            f"the backup holds a {kind} database; restore it to a {kind} database"
            + (" (give --database-url)" if kind == "PostgreSQL" else " (omit --database-url)")
        )
    if member == SQLITE_MEMBER:
        target = Path(str(parsed.database))
        if target.exists():
            raise DatabaseCopyError(f"{target} exists already: restore into a new place")
        shutil.copyfile(source, target)
        return
    _require_empty(url)
    _run_pg("pg_restore", parsed, ["--no-owner", "--exit-on-error", "--single-transaction"], source)


def _require_empty(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise DatabaseCopyError("the target PostgreSQL database is not empty")


def _pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise DatabaseCopyError(f"{name} not found: install the PostgreSQL client tools")
    return found


def _run_pg(tool: str, url: URL, args: list[str], source: Path | None = None) -> None:
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None)
    command = [_pg_tool(tool), *args, f"--dbname={libpq.render_as_string()}"]
    if source is not None:
        command.append(str(source))
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise DatabaseCopyError(f"{tool} failed: {last}")
