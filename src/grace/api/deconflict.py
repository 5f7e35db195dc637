"""``/api/v1/deconflict``: the coordinator's endpoints for nodes, and a node's notices.

Node-to-coordinator (and peer-to-peer overlap) calls are not desk sessions: they carry the
sending node's name and an Ed25519 signature over method, path and body
(``grace.deconflict.signed``), checked against the key pinned with ``grace deconflict nodes
add``. ``GET /config`` is public (an OPRF public key is meant to be pinned). ``GET /notices``
is the desk's view of the alerts about this workspace's own referrals, scoped as referrals are.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.api.models import ERRORS, ErrorOut
from grace.deconflict import coordinator, oprf, pool
from grace.deconflict.nodes import NodeError, authenticate
from grace.deconflict.oprf import OprfError
from grace.deconflict.signed import NODE_HEADER, SIGNATURE_HEADER, SignatureError
from grace.exports.signing import SigningKeyError
from grace.store.deconflict_tables import DeconflictNode, DeconflictNotice
from grace.store.locks import hold_write_lock
from grace.store.tables import Referral
from grace.web.auth import Principal, referral_scope, require_roles
from grace.web.deps import get_workspace
from grace.workspace import Workspace

RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    429: {"model": ErrorOut, "description": "over the node's hourly evaluation budget"},
}
router = APIRouter(prefix="/api/v1/deconflict", tags=["deconfliction"], responses=RESPONSES)
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
NodeName = Annotated[str | None, Header(alias=NODE_HEADER, max_length=100)]
Signature = Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=200)]
MAX_BODY = 4 * 1024 * 1024
SIGNED = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "signed JSON: node, at, nonce and the call's fields",
                }
            }
        },
    }
}


class TokenEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: str = Field(max_length=20)
    ref: str = Field(min_length=1, max_length=64)
    expires_at: datetime


class TokenBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    epoch: int
    add: list[TokenEntry] = Field(default_factory=list, max_length=20_000)
    withdraw: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20_000
    )


async def _body(request: Request) -> bytes:
    """The request body, read *before* any transaction: awaiting it while holding the write
    lock would let another request block the event loop waiting for that lock."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, "request body too large")
    return body


def _signed(
    request: Request, body: bytes, session: Session, node: str | None, sig: str | None
) -> tuple[DeconflictNode, dict[str, Any]]:
    if not node or not sig:
        raise HTTPException(401, "unsigned request: X-Grace-Node and X-Grace-Signature needed")
    try:
        row, verified = authenticate(session, node, sig, "POST", request.url.path, body)
    except (SignatureError, SigningKeyError, ValueError) as exc:
        status = 403 if isinstance(exc, NodeError) else 401
        raise HTTPException(status, str(exc)) from exc
    return row, verified.payload


def _refused(exc: coordinator.CoordinatorError | OprfError) -> HTTPException:
    return HTTPException(getattr(exc, "status", 400), str(exc))


@router.get("/config")
def deconflict_config(workspace: WorkspaceDep) -> dict[str, Any]:
    """The OPRF suite, current epoch and public key a node pins (404 off a coordinator)."""
    try:
        return coordinator.config(workspace)
    except coordinator.CoordinatorError as exc:
        raise _refused(exc) from exc


@router.post("/evaluate", openapi_extra=SIGNED)
async def deconflict_evaluate(
    request: Request, workspace: WorkspaceDep, node: NodeName = None, sig: Signature = None
) -> dict[str, Any]:
    """Evaluate a batch of blinded elements (base64 of concatenated 32-byte points)."""
    refused: coordinator.CoordinatorError | OprfError | None = None
    body = await _body(request)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row, payload = _signed(request, body, session, node, sig)
        try:
            packed = base64.b64decode(str(payload.get("blinded", "")), validate=True)
            epoch = coordinator.admit(workspace, session, row, oprf.check_batch(packed))
        except binascii.Error as exc:
            raise HTTPException(422, "blinded is not base64") from exc
        except (coordinator.CoordinatorError, OprfError) as exc:
            refused = exc
        name = row.name
    if refused is None:  # counted and audited: the curve work runs unlocked, on any core
        try:
            out = await pool.evaluate(oprf.seed_path(workspace.home), epoch, packed)
        except OprfError as exc:
            raise _refused(exc) from exc
        return {"epoch": epoch, "evaluated": _b64(out)}
    if getattr(refused, "status", 400) == 429:  # audited in its own transaction: it stays
        coordinator.record_refusal(workspace, name, len(packed) // 32, str(refused))
    raise _refused(refused)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@router.post("/tokens", openapi_extra=SIGNED)
async def deconflict_tokens(
    request: Request, workspace: WorkspaceDep, node: NodeName = None, sig: Signature = None
) -> dict[str, Any]:
    """Add tokens (kind, opaque reference, expiry) and withdraw references."""
    body = await _body(request)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row, payload = _signed(request, body, session, node, sig)
        try:
            batch = TokenBatch.model_validate(payload)
        except ValidationError as exc:
            raise HTTPException(422, "malformed token batch") from exc
        try:
            withdrawn = coordinator.withdraw(workspace, session, row, batch.withdraw) if (
                batch.withdraw) else 0  # fmt: skip
            added = coordinator.upload(workspace, session, row, batch.epoch, batch.add) if (
                batch.add) else {"accepted": 0, "alerts": 0}  # fmt: skip
        except coordinator.CoordinatorError as exc:
            raise _refused(exc) from exc
    return {**added, "withdrawn": withdrawn}


@router.post("/alerts", openapi_extra=SIGNED)
async def deconflict_alerts(
    request: Request, workspace: WorkspaceDep, node: NodeName = None, sig: Signature = None
) -> dict[str, Any]:
    """This node's alerts newer than ``after`` (an alert id)."""
    body = await _body(request)
    with workspace.sessions.begin() as session:
        row, payload = _signed(request, body, session, node, sig)
        after = payload.get("after", 0)
        after = after if isinstance(after, int) else 0
        return {"alerts": coordinator.alerts_for(session, row, after)}


@router.post("/psi", openapi_extra=SIGNED)
async def deconflict_psi(
    request: Request, workspace: WorkspaceDep, node: NodeName = None, sig: Signature = None
) -> dict[str, Any]:
    """Answer a pinned peer's private-set-intersection-cardinality request (audited)."""
    from grace.deconflict.overlap import OverlapError, answer

    body = await _body(request)
    with workspace.sessions.begin() as session:
        row, payload = _signed(request, body, session, node, sig)
        try:
            return answer(workspace, session, row, payload)
        except OverlapError as exc:
            raise HTTPException(422, str(exc)) from exc


@router.get("/notices")
def deconflict_notices(
    workspace: WorkspaceDep,
    principal: Annotated[Principal, Depends(require_roles("admin", "supervisor", "analyst"))],
) -> dict[str, Any]:
    """Alerts about referrals in the caller's scope: the kind shared, never the value."""
    with workspace.sessions() as session:
        rows = session.execute(
            select(DeconflictNotice)
            .join(Referral, Referral.id == DeconflictNotice.referral_id)
            .where(referral_scope(principal))
            .order_by(DeconflictNotice.id)
        ).scalars()
        return {"notices": [notice(n) for n in rows]}


def notice(row: DeconflictNotice) -> dict[str, Any]:
    return {
        "referral_id": row.referral_id,
        "kind": row.kind,
        "other_node": row.other_node,
        "other_ref": row.other_ref,
        "received_at": row.received_at.isoformat(),
        "text": coordinator.notice_text(
            str(row.referral_id), row.kind, row.other_node, row.other_ref
        ),
    }
