"""Telling a race from bad input, and retrying the race.

A transaction can fail because of *another writer* (a lock wait timed out, PostgreSQL
chose it as a deadlock victim or serialisation failure, a row with the same unique key was
committed first) or because of *its own data* (a value too long, a broken constraint).
The first kind says nothing about the input: the same work, repeated once the other writer
is done, succeeds (and, where our writes are idempotent, finds the other writer's rows).
Ingest must never quarantine a valid referral for it, so callers retry those errors here
and treat only the second kind as bad input.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
T = TypeVar("T")

# PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available,
# unique_violation (another writer committed the same key first).
_PG_STATES = {"40001", "40P01", "55P03", "23505"}
# SQLite extended result codes by name (Python >= 3.11): busy/locked, and a unique key
# that another writer committed between our look and our insert.
_SQLITE_NAMES = {
    "SQLITE_BUSY",
    "SQLITE_BUSY_SNAPSHOT",
    "SQLITE_BUSY_RECOVERY",
    "SQLITE_BUSY_TIMEOUT",
    "SQLITE_LOCKED",
    "SQLITE_LOCKED_SHAREDCACHE",
    "SQLITE_CONSTRAINT_UNIQUE",
    "SQLITE_CONSTRAINT_PRIMARYKEY",
}
ATTEMPTS = 8


def is_contention(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) is a conflict with another writer."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return str(state) in _PG_STATES
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return str(name) in _SQLITE_NAMES
    return "database is locked" in str(orig)


def retry_on_contention(
    work: Callable[[], T], *, what: str = "write", attempts: int = ATTEMPTS
) -> T:
    """Run ``work`` (one whole transaction), again after a short random pause when it
    failed because of another writer; any other error, or the last failure, propagates."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not is_contention(exc):
                raise
            pause = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5)
            log.info("%s conflicted with another writer (%s); retry %d", what, _short(exc), attempt)
            time.sleep(pause)
    raise AssertionError("unreachable")  # the loop returns or raises


def _short(exc: DBAPIError) -> str:
    return " ".join(str(exc.orig).split())[:120]
