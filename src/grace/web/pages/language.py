"""The language menu in the page header: each user's choice is kept on their account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import update

from grace.store.account_tables import User
from grace.web.auth import Principal, current_principal, record_view
from grace.web.deps import get_workspace
from grace.web.i18n import LANGUAGES
from grace.workspace import Workspace

router = APIRouter()


@router.post("/language", response_model=None)
def choose_language(
    request: Request,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(current_principal)],
    language: Annotated[str, Form(max_length=10)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> RedirectResponse:
    """Store the user's desk language (audited as a settings change) and go back."""
    if language not in LANGUAGES:
        raise HTTPException(422, f"unsupported language {language!r}: one of {sorted(LANGUAGES)}")
    with workspace.sessions.begin() as session:
        session.execute(update(User).where(User.id == principal.id).values(language=language))
        record_view(
            session, workspace, principal, "user", principal.username, "settings",
            {"language": language},
        )
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)
