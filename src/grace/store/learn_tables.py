"""Model registry of the learning layer: versions, metrics, origin, activation (issue 6).

Shares ``Base.metadata`` with the other table modules; its migration is 0007.
"""

from __future__ import annotations

from grace.store.tables import Base

__all__ = ["Base"]
