"""Server-side web sessions. The cookie holds a random id; the database holds its SHA-256,
the user and the CSRF token. Chosen over signed cookies so that logout, disabling a user
and expiry take effect at once, and no signing key has to be managed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grace.accounts.secrets_ import digest, new_secret
from grace.accounts.users import find_user
from grace.store.account_tables import User, WebSession

IDLE = timedelta(hours=8)  # one working day; a session unused longer must sign in again
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class ActiveSession:
    user: User
    csrf_token: str


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def create_session(session: Session, user: User) -> str:
    """Start a session for ``user``; returns the cookie value (shown nowhere else)."""
    now = datetime.now(UTC)
    secret = new_secret()
    session.add(
        WebSession(
            user_id=user.id,
            token_sha256=digest(secret),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + IDLE,
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return secret


def resolve_session(session: Session, secret: str) -> ActiveSession | None:
    """The live session's user and CSRF token, sliding its expiry at most every few minutes."""
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_sha256 == digest(secret))
    ).first()
    if found is None:
        return None
    row, user = found
    now = datetime.now(UTC)
    if _aware(row.expires_at) < now or user.disabled:
        return None
    if now - _aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at, row.expires_at = now, now + IDLE
        session.commit()
    return ActiveSession(user, row.csrf_token)


def end_session(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_sha256 == digest(secret)))


def disable_user(session: Session, username: str) -> User:
    """Disable an account and end its sessions (its tokens stop working too)."""
    user = find_user(session, username)
    user.disabled = True
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return user
