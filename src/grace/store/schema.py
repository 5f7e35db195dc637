"""Every table module, imported once so that ``Base.metadata`` knows the whole schema.

Alembic's environment and the migration contract test import this module; a new table
module is added here and nowhere else.
"""

from __future__ import annotations

from grace.store import (  # noqa: F401 - importing registers the tables
    account_tables,
    deconflict_tables,
    desk_tables,
    exchange_tables,
    fl_tables,
    intel_tables,
    learn_tables,
    media_tables,
    signal_tables,
    tables,
)
from grace.store.tables import Base

metadata = Base.metadata
