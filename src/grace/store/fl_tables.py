"""Federated-learning records: rounds, participants, resulting versions (issue 6).

Shares ``Base.metadata`` with the other table modules; its migration is 0008.
"""

from __future__ import annotations

from grace.store.tables import Base

__all__ = ["Base"]
