"""How a priority number is explained on the desk: points, the mapping, the place in the queue.

Why: a scorer adds points per factor and then maps the total onto 0-100 (rules_v1 through a
logistic curve whose midpoint and spread live in its weights file). An analyst who sees
"65.5 points" and "priority 32" side by side must be told how one becomes the other, and a
0-100 number means little without knowing how many referrals rank above it. This module
gives each shown priority those three facts, read from the stored score (never recomputed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from grace.store.intel_tables import ScoreRow
from grace.store.tables import Referral


def points(factors: list[dict[str, Any]] | None) -> float:
    """The points total: the sum of every factor's contribution (the jurisdiction included)."""
    return round(sum(float(f.get("contribution") or 0) for f in factors or []), 4)


def mapping_text(scorer: str, agency: str | None) -> str:
    """How ``scorer`` turns points into 0-100, in the words and numbers an analyst can check."""
    if scorer == "rules_v1":
        from grace.triage.rules import load_weights  # reads the YAML weights, nothing heavy

        curve = load_weights(agency=agency)["map"]
        midpoint, spread = float(curve["midpoint"]), float(curve["spread"])
        return f"100 / (1 + e^-((points - {midpoint:g}) / {spread:g}))"
    if scorer.startswith("learned"):
        return "100 x the calibrated probability of urgency (points are its log-odds shares)"
    return f"the {scorer} scorer's own scale"


def percentile(
    session: Session, scope: ColumnElement[bool], priority: float | None
) -> float | None:
    """Share (0-1) of scored referrals in ``scope`` whose priority is lower than ``priority``."""
    if priority is None:
        return None
    scored = select(func.count()).where(scope, Referral.priority.is_not(None))
    total = int(session.scalar(scored) or 0)
    if total == 0:
        return None
    lower = int(session.scalar(scored.where(Referral.priority < priority)) or 0)
    return lower / total


def priority_context(
    session: Session, scope: ColumnElement[bool], detail: dict[str, Any]
) -> dict[str, Any] | None:
    """Points, mapping and percentile for a referral page (``None`` when not scored)."""
    explanation = detail.get("priority_explanation")
    if not explanation:
        return None
    return {
        "points": points(explanation.get("factors")),
        "mapping": mapping_text(str(explanation.get("scorer")), detail.get("agency")),
        "percentile": percentile(session, scope, detail.get("priority")),
    }


def latest_points(session: Session, referral_ids: list[int]) -> dict[int, float]:
    """The points total of each referral's latest score (for the queue's priority column)."""
    if not referral_ids:
        return {}
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
    return {referral_id: points(factors) for referral_id, factors in rows}
