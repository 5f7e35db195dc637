"""Agency scoping and the audit of views. Out-of-scope ids read as missing (404, never 403),
so an id never tells a user of another agency that a referral exists."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import HTTPException
from sqlalchemy import ColumnElement, event, exists, false, select, true
from sqlalchemy.orm import Session, SessionTransaction

from grace.store.locks import hold_write_lock
from grace.store.tables import Referral, ReferralFile
from grace.web.auth.principal import Principal
from grace.workspace import Workspace

# The audit chain takes the next sequence number from the newest row; two request threads
# appending at once would pick the same number and one commit would fail. One lock per
# process serialises audited transactions (held from the append until the transaction ends).
_AUDIT_LOCK = threading.Lock()
MAX_ID = 2**31 - 1
_LOCKED = "grace.web.audit_lock"
_LISTENING = "grace.web.audit_listening"
_TRAIL = "grace.web.audit_trail"


def referral_scope(principal: Principal) -> ColumnElement[bool]:
    """Where-clause for ``select(Referral)``: what this principal may see."""
    if principal.sees_all:
        return true()
    if principal.agency is None:
        return false()
    return Referral.agency == principal.agency


def referral_in_scope(session: Session, principal: Principal, referral_id: int) -> Referral:
    """The referral, or 404 when it is missing or out of the principal's scope."""
    if not 0 < referral_id <= MAX_ID:  # PostgreSQL would refuse the number: still "missing"
        raise HTTPException(404, f"no referral with id {referral_id}")
    row = session.scalar(
        select(Referral).where(Referral.id == referral_id, referral_scope(principal))
    )
    if row is None:
        raise HTTPException(404, f"no referral with id {referral_id}")
    return row


def media_in_scope(session: Session, principal: Principal, sha256: str) -> None:
    """404 unless the media item belongs to a referral the principal may see."""
    visible = session.scalar(
        select(
            exists()
            .where(ReferralFile.sha256 == sha256.lower(), ReferralFile.referral_id == Referral.id)
            .where(referral_scope(principal))
        )
    )
    if not visible:
        raise HTTPException(404, f"no media with sha256 {sha256[:64]}")


def record_view(
    session: Session,
    workspace: Workspace,
    principal: Principal,
    object_type: str,
    object_id: str,
    action: str = "view",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event in the caller's transaction.

    The caller commits (``with workspace.sessions.begin() as session``); the audit anchor is
    saved automatically after that commit, and concurrent audited requests are serialised.
    """
    if _LOCKED not in session.info:
        # The workspace write lock first, then this process lock: a thread that already
        # wrote (and so holds the database's write lock) must never wait here for one that
        # holds this lock and waits for the database (they deadlocked until a timeout).
        hold_write_lock(session)
        if not session.info.get(_LISTENING):  # listeners live as long as this session object
            session.info[_LISTENING] = True
            event.listen(session, "after_commit", _committed)
            event.listen(session, "after_transaction_end", _release)
        session.info[_LOCKED] = _AUDIT_LOCK.acquire(timeout=30)
        session.info[_TRAIL] = workspace.audit
    workspace.audit.append(
        session,
        actor=principal.actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )


def _committed(session: Session) -> None:
    trail = session.info.get(_TRAIL)
    if trail is not None:
        trail.save_anchor()


def _release(session: Session, transaction: SessionTransaction) -> None:
    """At the end of the audited transaction (commit or rollback): unlock."""
    if transaction.parent is not None or _LOCKED not in session.info:
        return
    session.info.pop(_TRAIL, None)
    if session.info.pop(_LOCKED):
        _AUDIT_LOCK.release()
