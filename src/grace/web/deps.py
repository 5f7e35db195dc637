"""FastAPI dependencies shared by every router: the open workspace."""

from __future__ import annotations

from fastapi import Request

from grace.workspace import Workspace


def get_workspace(request: Request) -> Workspace:
    """The workspace ``create_app`` was built around (kept on ``app.state``)."""
    workspace: Workspace = request.app.state.workspace
    return workspace
