"""PostgreSQL for tests: one throw-away database per pytest worker, wiped per test.

CI sets GRACE_TEST_DATABASE_URL and GRACE_REQUIRE_POSTGRES=1, so there a missing server
fails the run instead of silently skipping the PostgreSQL half of the contract suite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENV_URL = "GRACE_TEST_DATABASE_URL"


def admin_url() -> str | None:
    return os.environ.get(ENV_URL)


def require_or_skip() -> str:
    url = admin_url()
    if url:
        return url
    if os.environ.get("GRACE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{ENV_URL} is not set but PostgreSQL tests are required")
    pytest.skip(f"{ENV_URL} not set")


def worker_database(worker: str) -> str:
    """Create (once) and wipe a database for this worker; return its URL."""
    base = make_url(require_or_skip())
    prefix = os.environ.get("GRACE_TEST_DB_PREFIX", "grace_test")
    name = f"{prefix}_{worker}".replace("-", "_")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@contextmanager
def throwaway_database(purpose: str) -> Iterator[str]:
    """A new, uniquely named PostgreSQL database for one test's processes; dropped after
    (``WITH (FORCE)``: a killed server process may still hold a connection)."""
    base = make_url(require_or_skip())
    prefix = os.environ.get("GRACE_TEST_DB_PREFIX", "grace_test")
    name = f"{prefix}_{purpose}_{uuid.uuid4().hex[:10]}".replace("-", "_")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
