"""/api/v1/referrals/{id}/decisions: record and read analysts' decisions (audited)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from grace.api.common import ReferralId, Worker, WorkspaceDep
from grace.api.models import DecisionOut
from grace.desk.decisions import DecisionError, add_decision
from grace.referral_parts import decisions
from grace.store.locks import hold_write_lock
from grace.web.auth import record_view, referral_in_scope

router = APIRouter(tags=["decisions"])
Sha = Annotated[str, StringConstraints(pattern="^[0-9a-f]{64}$")]


class DecisionIn(BaseModel):
    model_config = ConfigDict(strict=True)  # JSON 0 is not false, "1" is not 1

    label: Literal["urgent", "actionable", "not_actionable", "needs_information"]
    notes: str | None = Field(None, max_length=5000)
    media_categories: dict[Sha, Literal["0", "1", "2", "3", "4"]] = Field(
        default_factory=dict,
        max_length=10_000,
        description="Project VIC (US) category per media item of this referral, by SHA-256",
        json_schema_extra={"additionalProperties": False},  # keys are SHA-256 only
    )


@router.post("/referrals/{referral_id}/decisions", response_model=DecisionOut, status_code=201)
def decide(
    workspace: WorkspaceDep, principal: Worker, referral_id: ReferralId, body: DecisionIn
) -> dict[str, Any]:
    """Record a decision; the referral becomes ``decided``. Audited as ``decide``."""
    with workspace.sessions.begin() as session:
        hold_write_lock(session)  # before the decision's rows: see grace.store.locks
        referral_in_scope(session, principal, referral_id)
        try:
            row = add_decision(
                session,
                principal.actor,
                referral_id,
                body.label,
                body.notes,
                dict(body.media_categories),
            )
        except DecisionError as exc:
            raise HTTPException(422, str(exc)) from None
        details = {"label": body.label, "categorised": len(body.media_categories), "via": "api"}
        record_view(session, workspace, principal, "referral", str(referral_id), "decide", details)
    return {
        "id": row.id,
        "label": row.label,
        "actor": row.actor,
        "at": row.at.isoformat(),
        "notes": row.notes,
        "media_categories": dict(row.data.get("media_categories") or {}),
    }


@router.get("/referrals/{referral_id}/decisions", response_model=list[DecisionOut])
def referral_decisions(
    workspace: WorkspaceDep, principal: Worker, referral_id: ReferralId
) -> list[dict[str, Any]]:
    """Decisions on the referral, newest first."""
    with workspace.sessions() as session:
        referral_in_scope(session, principal, referral_id)
        return decisions(session, referral_id)
