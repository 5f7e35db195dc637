"""The queue as the desk shows it: the shared scoped, filtered listing of ``grace.referrals``
plus each referral's top priority factors (the "why" chips), fetched for the one page in a
single query, and how long it has waited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from grace.desk.priority import latest_points, percentile
from grace.intel.esp import labels as esp_labels
from grace.referrals import ReferralFilters, count_referrals, list_referrals
from grace.store.intel_tables import ScoreRow
from grace.store.tables import Referral

PAGE_SIZE = 50
TOP_FACTORS = 3


def queue_filters(
    agency: str = "", status: str = "", country: str = "", esp: str = "", min_priority: str = ""
) -> ReferralFilters:
    """The filter bar's fields as listing filters; empty fields (and a minimum priority that
    is not a number) mean "any"."""
    try:
        minimum = float(min_priority) if min_priority.strip() else None
    except ValueError:
        minimum = None
    return ReferralFilters(
        agency=agency or None,
        status=status or None,
        country=country or None,
        esp=esp or None,
        priority_min=minimum,
    )


def kept(filters: ReferralFilters) -> dict[str, str]:
    """Non-empty filters as query parameters, for links that keep them (the pager)."""
    values = {
        "agency": filters.agency,
        "status": filters.status,
        "country": filters.country,
        "esp": filters.esp,
        "min_priority": None if filters.priority_min is None else f"{filters.priority_min:g}",
    }
    return {k: v for k, v in values.items() if v}


def queue_page(
    session: Session,
    scope: ColumnElement[bool],
    filters: ReferralFilters,
    page: int,
    now: datetime | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Total matching referrals and this page's rows, highest priority first."""
    total = count_referrals(session, scope, filters)
    rows = list_referrals(session, PAGE_SIZE, (page - 1) * PAGE_SIZE, scope, filters)
    factors = top_factors(session, [r["id"] for r in rows])
    totals = latest_points(session, [r["id"] for r in rows])
    now = now or datetime.now(UTC)
    items = [
        {
            **r,
            "factors": factors.get(r["id"], []),
            "age": age_text(r["received_at"], now),
            "points": totals.get(r["id"]),
            "percentile": percentile(session, scope, r.get("priority")),
        }
        for r in rows
    ]
    return total, items


def top_factors(session: Session, referral_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The strongest factors (either sign) of each referral's latest score."""
    latest = (
        select(ScoreRow.referral_id, func.max(ScoreRow.run_id).label("run_id"))
        .where(ScoreRow.referral_id.in_(referral_ids))
        .group_by(ScoreRow.referral_id)
        .subquery()
    )
    rows = session.execute(
        select(ScoreRow.referral_id, ScoreRow.factors).join(
            latest,
            (latest.c.referral_id == ScoreRow.referral_id) & (latest.c.run_id == ScoreRow.run_id),
        )
    ).all()
    found: dict[int, list[dict[str, Any]]] = {}
    for referral_id, factors in rows:
        ranked = sorted(
            (f for f in factors or [] if float(f.get("contribution") or 0) != 0),
            key=lambda f: -abs(float(f.get("contribution") or 0)),
        )
        found[referral_id] = ranked[:TOP_FACTORS]
    return found


def filter_options(session: Session, scope: ColumnElement[bool]) -> dict[str, list[str]]:
    """Values the filter bar offers, from the referrals the user may see."""

    def distinct(column: Any) -> list[str]:
        query = select(column).where(scope, column.is_not(None)).distinct().order_by(column)
        return [str(v) for v in session.scalars(query)]

    return {
        "agency": distinct(Referral.agency),
        "status": distinct(Referral.status),
        "country": distinct(Referral.country_of_action),
        "esp": esp_labels(distinct(Referral.esp_name)),  # one entry per provider
    }


def age_text(received_at: str | None, now: datetime) -> str:
    """A short age such as "3 h" or "12 d" (how long a referral has waited)."""
    if not received_at:
        return "—"
    when = datetime.fromisoformat(received_at)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    hours = max(0.0, (now - when).total_seconds() / 3600)
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} d"
