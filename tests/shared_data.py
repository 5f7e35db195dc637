"""Where the shared, third-party conformance data lives (read in place, never copied).

Looked up in this order: ``GRACE_SHARED_DIR``; a ``shared`` folder beside the repository
(the usual checkout layout); one beside any parent folder; ``/work/shared`` on the project's
machines, so that a clean clone anywhere (CI, ``/tmp``) still runs the conformance tests.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _find() -> Path:
    candidates = (
        [Path(os.environ["GRACE_SHARED_DIR"])] if os.environ.get("GRACE_SHARED_DIR") else []
    )
    candidates += [parent / "shared" for parent in REPO.parents]
    candidates.append(Path("/work/shared"))
    for candidate in candidates:
        if (candidate / "conformance").is_dir():
            return candidate
    return REPO.parent / "shared"


SHARED = _find()
CONFORMANCE = SHARED / "conformance"
