"""How exports reach the audit trail: one ``export`` event per thing that leaves.

The CLI appends through the trail directly; the web app passes its own recorder (which
serialises concurrent audited requests), so both go through the same ``Recorder`` shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from grace.workspace import Workspace

# (session, object_type, object_id, details): append one "export" event in that session.
Recorder = Callable[[Session, str, str, dict[str, Any]], None]


def trail_recorder(workspace: Workspace, actor: str) -> Recorder:
    def record(session: Session, object_type: str, object_id: str, details: dict[str, Any]) -> None:
        workspace.audit.append(
            session,
            actor=actor,
            action="export",
            object_type=object_type,
            object_id=object_id,
            details=details,
        )

    return record


def record_export(
    workspace: Workspace, recorder: Recorder, object_type: str, data: bytes, details: dict[str, Any]
) -> str:
    """Record that ``data`` left the workspace; the event names it by its SHA-256 (returned),
    so a copy found later can be traced to who exported it and when."""
    digest = hashlib.sha256(data).hexdigest()
    with workspace.sessions.begin() as session:
        recorder(session, object_type, digest, {"sha256": digest, "size": len(data), **details})
    workspace.audit.save_anchor()
    return digest
