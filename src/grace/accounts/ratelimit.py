"""Sign-in rate limiting: after too many failures for one user, refuse for a while.

Kept in the database (not in process memory) so that a restart or a second worker process
does not reset the count. Two keys: the user from one address (``MAX_FAILURES``) and the
user from anywhere (``MAX_USER_FAILURES``, so that rotating addresses does not give an
attacker unlimited tries; it is higher so a stranger cannot lock a user out cheaply).

Concurrent attempts must not overshoot. An attempt is first *claimed*: a failure row is
written and committed before the password is checked, then the failures are counted, its
own included. The n-th attempt to commit sees at least n rows when it counts, so at most
``MAX_FAILURES`` attempts get through however many run at once (a race can only refuse one
too many, never allow one too many). A correct password turns the claim into a success and
clears the failures; a refused attempt withdraws its claim.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from grace.store.account_tables import LoginAttempt

MAX_FAILURES = 5
MAX_USER_FAILURES = 20
WINDOW = timedelta(minutes=15)


def _failures(session: Session, *where: ColumnElement[bool]) -> int:
    since = datetime.now(UTC) - WINDOW
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(*where, LoginAttempt.at >= since, LoginAttempt.ok.is_(False))
    )
    return int(count or 0)


def claim_attempt(sessions: sessionmaker[Session], username: str, ip: str) -> int | None:
    """Claim one attempt (committed at once); its id, or None when the limit is reached."""
    now = datetime.now(UTC)
    with sessions.begin() as session:
        row = LoginAttempt(username=username[:100], ip=ip[:64], at=now, ok=False)
        session.add(row)
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - WINDOW * 4))
        session.flush()
        claim = row.id
    with sessions.begin() as session:
        user = LoginAttempt.username == username[:100]
        over = (
            _failures(session, user, LoginAttempt.ip == ip[:64]) > MAX_FAILURES
            or _failures(session, user) > MAX_USER_FAILURES
        )
        if over:
            session.execute(delete(LoginAttempt).where(LoginAttempt.id == claim))
            return None
    return claim


def settle_attempt(session: Session, claim: int, username: str, ip: str, ok: bool) -> None:
    """Record the outcome of a claimed attempt: a success clears this user's and
    address's failures; a failure stays counted (the claim already is one)."""
    if not ok:
        return
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.username == username[:100],
            LoginAttempt.ip == ip[:64],
            LoginAttempt.id != claim,
            LoginAttempt.ok.is_(False),
        )
    )
    session.execute(update(LoginAttempt).where(LoginAttempt.id == claim).values(ok=True))

