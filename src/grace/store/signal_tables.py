"""Per-media and per-referral model signals: scores, faces, ages, embeddings (issue 6).

Shares ``Base.metadata`` with the other table modules; its migration is 0006.
"""

from __future__ import annotations

from grace.store.tables import Base

__all__ = ["Base"]
