"""The queue as CSV, for spreadsheets and case-management imports.

Same rows, order and columns as the queue listing (``grace queue`` / the desk): open
referrals of the latest triage run, highest score first, with the media counts and the top
factors. Streamed row by row so a queue of 100,000 referrals never sits in memory at once.
Cells that a spreadsheet would run as a formula are defused (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from grace.store.intel_tables import ScoreRow, TriageRun
from grace.store.tables import Referral

MEDIA = ("new", "known", "viral", "duplicate", "near_duplicate", "suppressed", "missing")
COLUMNS = (
    "id",
    "external_id",
    "score",
    "agency",
    "country",
    "esp_name",
    "escalated",
    "received_at",
    *(f"media_{name}" for name in MEDIA),
    "top_factors",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def queue_csv(
    session: Session, agency: str | None = None, scope: ColumnElement[bool] | None = None
) -> Iterator[str]:
    """CSV text in chunks: the header, then one line per open referral in the queue."""
    yield _line(COLUMNS)
    run_id = session.scalar(select(TriageRun.id).order_by(TriageRun.id.desc()).limit(1))
    if run_id is None:
        return
    query = (
        select(Referral, ScoreRow.score, ScoreRow.factors)
        .join(ScoreRow, ScoreRow.referral_id == Referral.id)
        .where(ScoreRow.run_id == run_id, Referral.status == "new")
        .order_by(ScoreRow.score.desc(), Referral.id)
        .execution_options(yield_per=1000)
    )
    if agency:
        query = query.where(Referral.agency == agency)
    if scope is not None:
        query = query.where(scope)
    for referral, score, factors in session.execute(query):
        counts = referral.media_counts or {}
        top = sorted(factors or [], key=lambda f: -abs(f.get("contribution", 0)))[:3]
        yield _line(
            (
                referral.id,
                referral.external_id,
                f"{score:.1f}",
                referral.agency,
                referral.country_of_action,
                referral.esp_name,
                "yes" if referral.escalated else "no",
                referral.received_at.isoformat() if referral.received_at else None,
                *(counts.get(name, 0) for name in MEDIA),
                "; ".join(str(f.get("explanation", f.get("name", ""))) for f in top),
            )
        )


def _line(values: tuple[object, ...]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_cell(v) for v in values])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text
