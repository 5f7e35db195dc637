"""Accounts, API tokens, web sessions and sign-in records of the analyst desk (issue 5).

Shares ``Base.metadata`` with the other table modules; its migration is 0004. Secrets are
never stored: passwords as argon2id hashes, tokens and session ids as their SHA-256 (they
are 256-bit random values, so a fast hash is enough and lets a lookup use an index).
The queue's indexes on ``referrals`` are declared here too, since 0004 creates them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, Referral


class User(Base):
    """A local account: who, which role, which agency's referrals they may see."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | supervisor | analyst | auditor
    agency: Mapped[str | None] = mapped_column(String(100))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(10))  # desk language; None: browser's


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is kept, the token is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser. Server-side, so logout and disabling a user end it at once."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """One sign-in attempt, kept for rate limiting across restarts and worker processes."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)


Index("ix_login_attempts_username_ip_at", LoginAttempt.username, LoginAttempt.ip, LoginAttempt.at)
# The queue (grace.referrals): counts and pages by agency, by country and by status are
# answered from these indexes without reading the wide referral rows.
Index("ix_referrals_agency_priority", Referral.agency, Referral.priority)
Index("ix_referrals_status_priority", Referral.status, Referral.priority)
Index(
    "ix_referrals_country_status_priority",
    Referral.country_of_action,
    Referral.status,
    Referral.priority,
)
# PostgreSQL sorts NULLs first in descending order, so the queue's "highest priority first,
# unscored last" needs indexes declared that way to stop at the first page. SQLite cannot
# declare NULLS LAST in an index (its descending order puts NULLs last anyway): migration
# 0004 creates these two there as plain "priority DESC", and create_all skips them.
Index("ix_referrals_queue", Referral.priority.desc().nulls_last(), Referral.id).ddl_if(
    dialect="postgresql"
)
Index(
    "ix_referrals_agency_queue",
    Referral.agency,
    Referral.priority.desc().nulls_last(),
    Referral.id,
).ddl_if(dialect="postgresql")
