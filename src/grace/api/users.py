"""/api/v1/users (admins) and /api/v1/tokens (everyone's own API tokens)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from grace.accounts import AccountError
from grace.accounts.secrets_ import generated_password
from grace.accounts.sessions import disable_user
from grace.accounts.tokens import create_token, list_tokens, revoke_token, token_summary
from grace.accounts.users import add_user, list_users, user_summary
from grace.api.common import Admin, PrincipalDep, WorkspaceDep
from grace.api.models import NewToken, TokenOut, UserOut
from grace.web.auth import Principal
from grace.workspace import Workspace

router = APIRouter()
Username = Annotated[str, Path(max_length=100)]


class UserIn(BaseModel):
    model_config = ConfigDict(strict=True)  # JSON 0 is not false, "1" is not 1

    username: str = Field(min_length=1, max_length=100, pattern=r"^\S+$")
    role: Literal["admin", "supervisor", "analyst", "auditor"]
    agency: str | None = Field(None, max_length=100)
    password: str | None = Field(
        None, min_length=10, max_length=1000, description="omit to have one generated"
    )


class NewUser(UserOut):
    password: str | None = Field(description="the generated password, shown this once")


class TokenIn(BaseModel):
    model_config = ConfigDict(strict=True)  # JSON 0 is not false, "1" is not 1

    name: str = Field("api", min_length=1, max_length=100)


def _audit(
    session: Session, workspace: Workspace, principal: Principal, action: str, who: str, **kw: Any
) -> None:
    workspace.audit.append(
        session,
        actor=principal.actor,
        action=action,
        object_type="user",
        object_id=who,
        details=kw,
    )


@router.get("/users", response_model=list[UserOut], tags=["users"])
def users(workspace: WorkspaceDep, _principal: Admin) -> list[dict[str, Any]]:
    """Every account (admins only)."""
    with workspace.sessions() as session:
        return list_users(session)


@router.post("/users", response_model=NewUser, status_code=201, tags=["users"])
def create_user(workspace: WorkspaceDep, principal: Admin, body: UserIn) -> dict[str, Any]:
    """Create an account; without a password one is generated and returned once."""
    password = body.password or generated_password()
    try:
        with workspace.sessions.begin() as session:
            user = add_user(session, body.username, password, body.role, body.agency)
            _audit(session, workspace, principal, "user_created", user.username, role=user.role)
    except AccountError as exc:
        raise HTTPException(409 if "exists" in str(exc) else 422, str(exc)) from None
    workspace.audit.save_anchor()
    return {**user_summary(user), "password": None if body.password else password}


@router.post("/users/{username}/disable", response_model=UserOut, tags=["users"])
def disable(workspace: WorkspaceDep, principal: Admin, username: Username) -> dict[str, Any]:
    """Disable an account: its sessions end and its tokens stop working at once."""
    try:
        with workspace.sessions.begin() as session:
            user = disable_user(session, username)
            _audit(session, workspace, principal, "user_disabled", username)
    except AccountError as exc:
        raise HTTPException(404, str(exc)) from None
    workspace.audit.save_anchor()
    return user_summary(user)


@router.get("/tokens", response_model=list[TokenOut], tags=["tokens"])
def tokens(workspace: WorkspaceDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Your API tokens (admins: everyone's). Secrets are never shown again."""
    with workspace.sessions() as session:
        return list_tokens(session, None if principal.role == "admin" else principal.id)


@router.post("/tokens", response_model=NewToken, status_code=201, tags=["tokens"])
def new_token(workspace: WorkspaceDep, principal: PrincipalDep, body: TokenIn) -> dict[str, Any]:
    """Create an API token for yourself; send it as ``Authorization: Bearer <token>``."""
    with workspace.sessions.begin() as session:
        row, secret = create_token(session, principal.username, body.name)
        _audit(session, workspace, principal, "token_created", principal.username, name=body.name)
    workspace.audit.save_anchor()
    return {**token_summary(row, principal.username), "token": secret}


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"])
def delete_token(
    workspace: WorkspaceDep,
    principal: PrincipalDep,
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> None:
    """Revoke one of your tokens (admins: anyone's)."""
    owner = None if principal.role == "admin" else principal.id
    with workspace.sessions.begin() as session:
        if not revoke_token(session, token_id, owner):
            raise HTTPException(404, f"no live token with id {token_id}")
        _audit(session, workspace, principal, "token_revoked", principal.username, id=token_id)
    workspace.audit.save_anchor()
