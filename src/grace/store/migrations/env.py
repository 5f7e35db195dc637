"""Alembic environment: runs migrations on the engine grace hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from grace.store import schema  # noqa: F401 - registers every table
from grace.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    return create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
