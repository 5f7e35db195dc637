"""The workspace write lock: concurrent writers queue instead of colliding.

Several ``grace`` processes (two ingests, a media re-run, the desk's request threads) may
write to one workspace at once. The audit chain takes its next sequence number from the
newest row, media and hash indexes rely on ids committing in order, and ingest decides
"new or already present" by looking first: each of these is a read followed by a write
that is only correct if no other writer slips in between. Rather than discover such races
as unique-key failures and retry them, a transaction that is about to do such a
read-then-write takes this lock first, and holds it until it commits or rolls back:

- PostgreSQL: ``pg_advisory_xact_lock`` (released by the server at transaction end, even
  when the process is killed; other transactions that only read are never blocked);
- SQLite: ``BEGIN IMMEDIATE``, its own "one writer at a time" lock, waiting up to the
  engine's ``busy_timeout`` (readers in WAL mode are never blocked either).

Take it at the *start* of the transaction, before its other writes: a transaction that
holds row locks while it waits for this lock could deadlock with one that holds this lock
and waits for those rows. The transactions that hold it are short (the slow parts of
ingest and media analysis, parsing, hashing, writing the vault, happen outside them).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Any fixed 64-bit number; ASCII "grace-wl", so that it is recognisable in pg_locks.
WRITE_LOCK_KEY = 0x67726163652D776C
_HELD = "grace.store.write_lock"


def hold_write_lock(session: Session) -> None:
    """Take the workspace write lock for the rest of this session's transaction.

    Idempotent within a transaction; a new transaction on the same session takes it anew.
    """
    connection = session.connection()  # begins the session's transaction if needed
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_HELD) is transaction:
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
    elif dialect == "sqlite":
        raw = connection.connection.driver_connection
        # The driver (legacy transaction control) opens a transaction only before the first
        # INSERT/UPDATE/DELETE, so "in a transaction" here means "already holds the write
        # lock"; otherwise open the transaction as the writer now.
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
    session.info[_HELD] = transaction


def holds_write_lock(session: Session) -> bool:
    """Whether this session's current transaction has taken the write lock."""
    transaction = session.get_transaction()
    return transaction is not None and session.info.get(_HELD) is transaction
