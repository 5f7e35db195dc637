"""Whether media processing also computes signals: a cheap check that imports no model."""

from __future__ import annotations

import os

from grace.workspace import Workspace

ENV_SWITCH = "GRACE_SIGNALS"
SETTING = "signals"


def signals_enabled(workspace: Workspace) -> bool:
    """``GRACE_SIGNALS=1`` (or 0) wins; otherwise ``"signals": true`` in workspace.json."""
    flag = os.environ.get(ENV_SWITCH)
    if flag is not None:
        return flag.strip().lower() in ("1", "true", "yes", "on")
    return bool(workspace.settings.get(SETTING, False))
