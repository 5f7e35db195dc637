"""/api/v1/hashsets and /api/v1/stats: read-only reference data and trends."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select

from grace.api.common import PrincipalDep, Worker, WorkspaceDep
from grace.api.models import HashSet
from grace.stats import workspace_stats
from grace.store.media_tables import BankEntry, HashBank
from grace.web.auth import referral_scope

router = APIRouter()


@router.get("/hashsets", response_model=list[HashSet], tags=["hash sets"])
def hashsets(workspace: WorkspaceDep, _principal: PrincipalDep) -> list[dict[str, Any]]:
    """Imported hash sets (banks) with their entry counts. Read-only: import with
    ``grace hashset import``."""
    counts = (
        select(BankEntry.bank_id, func.count().label("n")).group_by(BankEntry.bank_id).subquery()
    )
    with workspace.sessions() as session:
        rows = session.execute(
            select(HashBank, counts.c.n)
            .outerjoin(counts, counts.c.bank_id == HashBank.id)
            .order_by(HashBank.name)
        ).all()
    return [
        {
            "id": bank.id,
            "name": bank.name,
            "kind": bank.kind,
            "scheme": bank.scheme,
            "description": bank.description,
            "created_at": bank.created_at.isoformat(),
            "entries": int(n or 0),
        }
        for bank, n in rows
    ]


@router.get("/stats", tags=["stats"])
def stats(workspace: WorkspaceDep, principal: Worker) -> dict[str, Any]:
    """``grace stats`` over the referrals you may see: volumes by week, ESP, country and
    agency, media novelty, queue sizes and ages."""
    with workspace.sessions() as session:
        return workspace_stats(session, scope=referral_scope(principal))
