"""Accounts, API tokens and sign-in records of the analyst desk (issue 5).

Shares ``Base.metadata`` with the other table modules; its migration is 0004.
"""

from __future__ import annotations

from grace.store.tables import Base

__all__ = ["Base"]
