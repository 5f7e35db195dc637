"""API tokens for scripts: ``Authorization: Bearer <token>``; shown once, stored hashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.accounts.secrets_ import digest, new_secret
from grace.accounts.users import find_user
from grace.store.account_tables import ApiToken, User

PREFIX = "grace_"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint; not one write per request


def create_token(session: Session, username: str, name: str = "default") -> tuple[ApiToken, str]:
    """A new token for ``username``; the returned secret is not stored anywhere."""
    user = find_user(session, username)
    secret = new_secret(PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name[:100],
        token_sha256=digest(secret),
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row, secret


def resolve_token(session: Session, secret: str) -> User | None:
    """The enabled user owning this unrevoked token, or None."""
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_sha256 == digest(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if found is None or found[1].disabled:
        return None
    token, user = found
    now = datetime.now(UTC)
    last = token.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) > TOUCH_EVERY:
        token.last_used_at = now
        session.commit()
    return user


def revoke_token(session: Session, token_id: int, user_id: int | None = None) -> bool:
    """Revoke one token (of ``user_id`` when given); False if there is no such live token."""
    query = select(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    token = session.scalar(query)
    if token is None:
        return False
    token.revoked_at = datetime.now(UTC)
    return True


def token_summary(token: ApiToken, username: str) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": token.id,
        "name": token.name,
        "owner": username,
        "created_at": iso(token.created_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
    }


def list_tokens(session: Session, user_id: int | None = None) -> list[dict[str, Any]]:
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [token_summary(t, u) for t, u in session.execute(query.order_by(ApiToken.id))]
