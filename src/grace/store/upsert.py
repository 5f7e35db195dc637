"""Idempotent inserts: a row that another writer stored first is kept, not an error.

Content-addressed rows (vault objects, media items, their hashes) mean the same thing
whoever writes them, so when two processes store the same bytes the second insert should
simply do nothing. ``INSERT ... ON CONFLICT DO NOTHING`` says that in one statement on both
PostgreSQL and SQLite (3.24+), and unlike "look, then insert" it has no window in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from grace.store.tables import Base

Row = dict[str, Any]


def insert_new(session: Session, model: type[Base], rows: Sequence[Row]) -> None:
    """Insert ``rows`` into ``model``'s table, skipping those whose unique key exists."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:  # pragma: no cover - grace supports PostgreSQL and SQLite only
        raise ValueError(f"no idempotent insert for the {dialect} dialect")
    session.execute(statement, list(rows))


def insert_new_objects(session: Session, objects: Iterable[Base]) -> None:
    """``insert_new`` for transient ORM objects (grouped by class, in first-seen order).

    Only the attributes that were set are inserted, so column defaults apply as they would
    for ``session.add``; the objects themselves stay transient (ids are not read back).
    """
    grouped: dict[tuple[type[Base], frozenset[str]], list[Row]] = {}
    for obj in objects:
        attributes = obj.__mapper__.column_attrs
        values = {
            a.columns[0].key: obj.__dict__[a.key] for a in attributes if a.key in obj.__dict__
        }
        grouped.setdefault((type(obj), frozenset(values)), []).append(values)
    for (model, _keys), rows in grouped.items():  # one executemany per shape of row
        insert_new(session, model, rows)
