"""Analyst-desk records: reveals/exposure and export packages (issue 5).

Shares ``Base.metadata`` with the other table modules; its migration is 0005.
"""

from __future__ import annotations

from grace.store.tables import Base

__all__ = ["Base"]
