"""Users: create, list, disable, change password, check a password (argon2id)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.accounts.agencies import AccountError, canonical_agency, check_role
from grace.store.account_tables import User

MIN_PASSWORD = 10
ENV_PROFILE = "GRACE_PASSWORD_HASH_PROFILE"


@lru_cache(maxsize=2)
def _hashers(profile: str) -> tuple[PasswordHasher, str]:
    """The hasher, and a hash verified against when the user does not exist (so both paths
    take the same time). argon2id with the library's RFC 9106 low-memory defaults; the
    "test" profile (set only by the test suite) uses tiny parameters to keep tests fast."""
    if profile == "test":
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    else:
        hasher = PasswordHasher()
    return hasher, hasher.hash("grace-no-such-user")


def _hasher() -> PasswordHasher:
    return _hashers(os.environ.get(ENV_PROFILE, ""))[0]


def add_user(
    session: Session, username: str, password: str, role: str, agency: str | None = None
) -> User:
    """Create an account. Admins need no agency; every other role belongs to one."""
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise AccountError("username must be 1-100 characters without spaces")
    check_role(role)
    if role != "admin" and role != "auditor" and not agency:
        raise AccountError(f"a {role} needs --agency (their referrals are scoped to it)")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=_hasher().hash(password),
        role=role,
        agency=canonical_agency(agency) if agency else None,
        disabled=False,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def set_password(session: Session, username: str, password: str) -> User:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")
    user = find_user(session, username)
    user.password_hash = _hasher().hash(password)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The enabled user with this password, or None; rehashes when parameters changed."""
    user = session.scalar(select(User).where(User.username == username))
    hasher, dummy = _hashers(os.environ.get(ENV_PROFILE, ""))
    try:
        hasher.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def user_summary(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "agency": user.agency,
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
    }


def list_users(session: Session) -> list[dict[str, Any]]:
    return [user_summary(u) for u in session.scalars(select(User).order_by(User.username))]
