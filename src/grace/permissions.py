"""Workspace files are private to the account that runs grace.

The database holds personal data and password hashes, the vault key unlocks the evidence
and the anchors vouch for the audit trail, so nothing in a workspace should be readable
by other local users. Rather than chmod every file after the fact (and miss SQLite's
``-wal``/``-shm`` files, vault folders and anchors written by other modules), a process that
opens a workspace sets its umask to 077: every file it creates is then 0600 and every
folder 0700. Workspaces made before this, or loosened by hand, are reported by
``loose_paths`` (``grace init`` and ``grace serve`` warn).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
MAX_REPORTED = 5


def use_private_umask() -> None:
    """Make every file this process creates from now on private (0600 / 0700)."""
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


def loose_paths(home: Path) -> list[Path]:
    """The workspace folder, its vault folder and their direct entries that group or
    others may read, write or enter (a bounded look: vaults hold many thousands of files)."""
    found: list[Path] = []
    for folder in (home, home / "vault"):
        if not folder.is_dir():
            continue
        for path in (folder, *sorted(folder.iterdir())):
            try:
                mode = path.lstat().st_mode
            except OSError:  # removed meanwhile
                continue
            if not stat.S_ISLNK(mode) and mode & 0o077 and path not in found:
                found.append(path)
    return found


def permission_warning(home: Path) -> str | None:
    """One line for the operator when the workspace is readable by others, else None."""
    loose = loose_paths(home)
    if not loose:
        return None
    shown = ", ".join(f"{p.name or p} {stat.S_IMODE(p.lstat().st_mode):04o}" for p in loose[:5])
    more = f" and {len(loose) - MAX_REPORTED} more" if len(loose) > MAX_REPORTED else ""
    return (
        f"workspace {home} is readable by other users ({shown}{more}): "
        f"run `chmod -R go-rwx {home}`"
    )
