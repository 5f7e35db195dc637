"""Sign-in rate limiting: after too many failures for one user from one address, refuse
for a while. Kept in the database (not in process memory) so that a restart or a second
worker process does not reset the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from grace.store.account_tables import LoginAttempt

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def blocked(session: Session, username: str, ip: str) -> bool:
    """True when ``MAX_FAILURES`` failed within ``WINDOW`` for this user and address."""
    since = datetime.now(UTC) - WINDOW
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username[:100],
            LoginAttempt.ip == ip[:64],
            LoginAttempt.at >= since,
            LoginAttempt.ok.is_(False),
        )
    )
    return (failures or 0) >= MAX_FAILURES


def record_attempt(session: Session, username: str, ip: str, ok: bool) -> None:
    """Remember an attempt; a success clears that user's and address's failures."""
    now = datetime.now(UTC)
    if ok:
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.username == username[:100], LoginAttempt.ip == ip[:64]
            )
        )
    session.add(LoginAttempt(username=username[:100], ip=ip[:64], at=now, ok=ok))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - WINDOW * 4))
