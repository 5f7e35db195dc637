"""Which audit events a user may read: one query for ``/api/v1/audit`` and the ``/audit`` page.

Admins, auditors and the coordinator's users read the whole trail. A supervisor reads the
events of their own agency, and an event belongs to an agency when

- its actor is one of the agency's user accounts (``user:NAME``), whatever it touched; or
- it concerns one of the agency's referrals (``object_type`` ``referral`` and the
  referral's id), whoever acted, so a supervisor sees who opened their referrals.

Nothing else: other agencies' views, exports and reveals, the ingest source paths and
document digests of their referrals, and failed sign-ins of unknown names stay out. Both
rules are evaluated in SQL, so counts and pages are scoped the same way as the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, cast, false, func, literal, or_, select, true
from sqlalchemy.orm import Session

from grace.store.account_tables import User
from grace.store.tables import AuditEvent, Referral
from grace.web.auth import Principal

READ_ALL_ROLES = frozenset({"admin", "auditor"})
AUDIT_READERS = ("admin", "auditor", "supervisor")


@dataclass(frozen=True)
class AuditFilters:
    """Exact-match filters and an ISO time range (``since`` inclusive, ``until`` exclusive)."""

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: str | None = None
    until: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        for column, value in (
            (AuditEvent.actor, self.actor),
            (AuditEvent.action, self.action),
            (AuditEvent.object_type, self.object_type),
            (AuditEvent.object_id, self.object_id),
        ):
            if value:
                clauses.append(column == value)
        if self.since:
            clauses.append(AuditEvent.at >= self.since)
        if self.until:
            clauses.append(AuditEvent.at < self.until)
        return clauses


def audit_scope(principal: Principal) -> ColumnElement[bool]:
    """Where-clause on ``AuditEvent``: the events this principal may read."""
    if principal.role in READ_ALL_ROLES or principal.sees_all:
        return true()
    if principal.role != "supervisor" or principal.agency is None:
        return false()
    members = select(literal("user:") + User.username).where(User.agency == principal.agency)
    referrals = select(cast(Referral.id, String)).where(Referral.agency == principal.agency)
    return or_(
        AuditEvent.actor.in_(members),
        and_(AuditEvent.object_type == "referral", AuditEvent.object_id.in_(referrals)),
    )


def audit_page(
    session: Session, principal: Principal, filters: AuditFilters, page: int, limit: int
) -> tuple[int, Sequence[AuditEvent]]:
    """How many events match in the principal's scope, and one page of them, newest first."""
    where = [audit_scope(principal), *filters.where()]
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    rows = session.scalars(
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.seq.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return int(total), rows


def audit_actions(session: Session, principal: Principal) -> list[str]:
    """The action names that occur in the principal's scope (for the page's filter)."""
    query = select(AuditEvent.action).where(audit_scope(principal)).distinct()
    return list(session.scalars(query.order_by(AuditEvent.action)))
