"""Read-side queries over referrals, shared by the CLI, the web pages, exports and the API.

Listing takes a ``ColumnElement`` scope (the caller's agency scoping; ``true()`` for the
CLI) plus filters, sort and pagination, so every surface pages the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import Session

from grace.exchange.dissemination import dissemination
from grace.intel.esp import spellings as esp_spellings
from grace.intel.links import links_of
from grace.referral_parts import (
    decisions,
    files_with_media,
    identifiers,
    ip_events,
    parties,
    priority_explanation,
)
from grace.store import tables as t

SORTS = ("priority", "-received_at", "received_at", "-incident_at", "incident_at", "id", "-id")


SUMMARY_COLUMNS = tuple(
    getattr(t.Referral, name)
    for name in (
        "id",
        "external_id",
        "source_format",
        "esp_name",
        "incident_type",
        "incident_time",
        "received_at",
        "escalated",
        "file_count",
        "status",
        "agency",
        "country_of_action",
        "priority",
        "warnings",
        "media_counts",
    )
)
"""What ``summary`` reads: listing selects only these (not the large ``data`` document)."""


def summary(row: Any) -> dict[str, Any]:
    """The fields a queue or a listing shows for one referral (an ORM row, or a result row
    of ``SUMMARY_COLUMNS``)."""
    return {
        "id": row.id,
        "external_id": row.external_id,
        "source_format": row.source_format,
        "esp_name": row.esp_name,
        "incident_type": row.incident_type,
        "incident_time": row.incident_time,
        "received_at": row.received_at.isoformat() if row.received_at else None,
        "escalated": row.escalated,
        "file_count": row.file_count,
        "status": row.status,
        "agency": row.agency,
        "country_of_action": row.country_of_action,
        "priority": row.priority,
        "warnings": len(row.warnings or []),
        "media_counts": row.media_counts or {},
    }


@dataclass(frozen=True)
class ReferralFilters:
    """What a listing can be narrowed by; ``None`` means "any"."""

    agency: str | None = None
    status: str | None = None
    country: str | None = None
    esp: str | None = None
    priority_min: float | None = None
    priority_max: float | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    incident_from: datetime | None = None
    incident_to: datetime | None = None
    escalated: bool | None = None

    def clauses(self, session: Session | None = None) -> list[ColumnElement[bool]]:
        r = t.Referral
        found: list[ColumnElement[bool]] = []
        for value, column in ((self.agency, r.agency), (self.status, r.status)):
            if value is not None:
                found.append(column == value)
        if self.esp is not None:  # one provider, however its name is spelt (grace.intel.esp)
            known = session.scalars(select(r.esp_name).distinct()) if session else ()
            found.append(r.esp_name.in_(esp_spellings(self.esp, known)))
        if self.country is not None:
            found.append(r.country_of_action == self.country.upper())
        if self.escalated is not None:
            found.append(r.escalated == self.escalated)
        bounds: tuple[tuple[Any, Any, Any], ...] = (
            (self.priority_min, self.priority_max, r.priority),
            (self.received_from, self.received_to, r.received_at),
            (self.incident_from, self.incident_to, r.incident_at),
        )
        for low, high, column in bounds:  # lower bound inclusive, upper bound exclusive
            if low is not None:
                found.append(column >= low)
            if high is not None:
                found.append(column <= high if column is r.priority else column < high)
        return found


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    """Priority: highest first, unscored last, ties by id (stable pages on both backends)."""
    r = t.Referral
    if sort == "priority":
        return query.order_by(r.priority.desc().nulls_last(), r.id)
    column = {"received_at": r.received_at, "incident_at": r.incident_at, "id": r.id}[
        sort.lstrip("-")
    ]
    if sort.startswith("-"):
        return query.order_by(column.desc().nulls_last(), r.id.desc())
    return query.order_by(column.asc().nulls_last(), r.id)


def count_referrals(
    session: Session,
    scope: ColumnElement[bool] | None = None,
    filters: ReferralFilters | None = None,
) -> int:
    clauses = (filters or ReferralFilters()).clauses(session)
    where = [scope if scope is not None else true(), *clauses]
    return session.scalar(select(func.count()).select_from(t.Referral).where(*where)) or 0


def list_referrals(
    session: Session,
    limit: int | None = None,
    offset: int = 0,
    scope: ColumnElement[bool] | None = None,
    filters: ReferralFilters | None = None,
    sort: str = "priority",
) -> list[dict[str, Any]]:
    """One page of referral summaries (``sort`` is one of ``SORTS``)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    clauses = (filters or ReferralFilters()).clauses(session)
    where = [scope if scope is not None else true(), *clauses]
    query = _ordered(select(*SUMMARY_COLUMNS).where(*where), sort).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [summary(row) for row in session.execute(query)]


def referral_detail(
    session: Session, referral_id: int, scope: ColumnElement[bool] | None = None
) -> dict[str, Any] | None:
    """Everything stored about one referral: people, accounts, identifiers, IP events,
    files with media status and matches, duplicate groups, links, priority, routing.

    With a ``scope`` (the viewer's agency scoping), linked referrals and referrals sharing a
    duplicate group are kept only when inside it: their ids would otherwise tell a user of
    one agency that another agency's referral exists.
    """
    row = session.get(t.Referral, referral_id)
    if row is None:
        return None
    custody = session.scalars(
        select(t.Custody).where(t.Custody.referral_id == referral_id).order_by(t.Custody.id)
    )
    files, groups = files_with_media(session, referral_id)
    links = links_of(session, referral_id)
    if scope is not None:
        links, groups = _visible(session, scope, links, groups)
    return {
        **summary(row),
        "subject_id": row.subject_id,
        "routing": row.routing,
        "links": links,
        "priority_explanation": priority_explanation(session, referral_id),
        "parties": parties(session, referral_id),
        "identifiers": identifiers(session, referral_id),
        "ip_events": ip_events(session, referral_id),
        "duplicate_groups": groups,
        "decisions": decisions(session, referral_id),
        "dissemination": dissemination(session, referral_id),  # sent to a peer node?
        "source": row.source,
        "document_sha256": row.document_sha256,
        "warnings": list(row.warnings or []),
        "referral": row.data,
        "files": files,
        "custody": [
            {
                "sha256": c.sha256,
                "role": c.role,
                "original_name": c.original_name,
                "source": c.source,
                "received_at": c.received_at.isoformat(),
                "actor": c.actor,
            }
            for c in custody
        ],
    }


def _visible(
    session: Session,
    scope: ColumnElement[bool],
    links: list[dict[str, Any]],
    groups: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Links and duplicate groups with referrals outside ``scope`` left out."""
    wanted = {int(link["referral"]) for link in links}
    for group in groups:
        wanted.update(group["other_referrals"])
    if not wanted:
        return links, groups
    visible = set(
        session.scalars(select(t.Referral.id).where(t.Referral.id.in_(sorted(wanted)), scope))
    )
    kept = [link for link in links if int(link["referral"]) in visible]
    for group in groups:
        group["other_referrals"] = [r for r in group["other_referrals"] if r in visible]
    return kept, groups
