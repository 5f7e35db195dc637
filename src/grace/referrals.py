"""Read-side queries over referrals, shared by the CLI, the web pages and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.intel.links import links_of
from grace.store import tables as t
from grace.store.intel_tables import ScoreRow, TriageRun


def summary(row: t.Referral) -> dict[str, Any]:
    """The fields a queue or a listing shows for one referral."""
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


def count_referrals(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(t.Referral)) or 0


def list_referrals(
    session: Session, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Referrals by priority (highest first; unscored last), then escalated, then newest."""
    query = (
        select(t.Referral)
        .order_by(
            t.Referral.priority.is_(None),
            t.Referral.priority.desc(),
            t.Referral.escalated.desc(),
            t.Referral.incident_at.desc(),
            t.Referral.id,
        )
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [summary(row) for row in session.scalars(query)]


def referral_detail(session: Session, referral_id: int) -> dict[str, Any] | None:
    """Everything stored about one referral, including its files and custody receipts."""
    row = session.get(t.Referral, referral_id)
    if row is None:
        return None
    files = session.scalars(
        select(t.ReferralFile)
        .where(t.ReferralFile.referral_id == referral_id)
        .order_by(t.ReferralFile.id)
    )
    custody = session.scalars(
        select(t.Custody).where(t.Custody.referral_id == referral_id).order_by(t.Custody.id)
    )
    latest = session.execute(
        select(ScoreRow.score, ScoreRow.factors, TriageRun.scorer, TriageRun.version)
        .join(TriageRun, TriageRun.id == ScoreRow.run_id)
        .where(ScoreRow.referral_id == referral_id)
        .order_by(ScoreRow.run_id.desc())
        .limit(1)
    ).first()
    return {
        **summary(row),
        "subject_id": row.subject_id,
        "routing": row.routing,
        "links": links_of(session, referral_id),
        "priority_explanation": (
            {"score": latest[0], "factors": latest[1], "scorer": latest[2], "version": latest[3]}
            if latest
            else None
        ),
        "source": row.source,
        "document_sha256": row.document_sha256,
        "warnings": list(row.warnings or []),
        "referral": row.data,
        "files": [
            {
                "id": f.id,
                "name": f.name,
                "original_name": f.original_name,
                "sha256": f.sha256,
                "viewed_by_esp": f.viewed_by_esp,
                "industry_classification": f.industry_classification,
                "annotations": f.annotations,
                "declared_hash_ok": f.declared_hash_ok,
            }
            for f in files
        ],
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
