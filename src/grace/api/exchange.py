"""``/api/v1/exchange``: a node's inbox for peers, and the desk's inbox, outbox and history.

``POST /inbox`` is not a desk session: the calling node names itself (``X-Grace-Node``)
and presents the token this node issued it (``Authorization: Bearer``); the package it
posts is then checked against that node's pinned key like any package (``grace.exchange.
receive``). The answer is this node's signed receipt, also for a refused package (its
``status`` is ``quarantined`` and its ``reason`` says why).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select

from grace.api.exchange_models import InboxPackage, OutboxDelivery, OutcomeStats
from grace.api.models import ERRORS
from grace.desk.exchange import desk_history, inbox_packages, outbox_rows
from grace.exchange.autoprocess import schedule as schedule_media
from grace.exchange.node import ExchangeError
from grace.exchange.outcomes import outcome_stats, record_outcome
from grace.exchange.peers import token_ok
from grace.exchange.receive import receive
from grace.exchange.send import NODE_HEADER
from grace.store.exchange_tables import ExchangeBankVersion, ExchangePeer
from grace.store.tables import Referral
from grace.web.auth import Principal, referral_scope, require_roles
from grace.web.deps import get_workspace
from grace.workspace import Workspace

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"], responses=ERRORS)
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
DeskUser = Annotated[Principal, Depends(require_roles("admin", "supervisor", "analyst"))]
MAX_PACKAGE = 1 << 30
PACKAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary", "description": "the zip"}
            }
        },
    }
}


class ActionedOutcome(BaseModel):
    outcome: Literal[
        "safeguarded_child",
        "arrest_or_search",
        "investigation_opened",
        "no_offence",
        "duplicate_national_case",
    ]
    reason: str | None = Field(None, max_length=2000)


class NotActionable(BaseModel):
    """Not actionable needs the reason why (it is what the sender learns from)."""

    outcome: Literal["not_actionable"]
    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S")


OutcomeIn = Annotated[ActionedOutcome | NotActionable, Field(discriminator="outcome")]


NodeHeader = Annotated[str | None, Header(alias=NODE_HEADER, max_length=100)]
AuthHeader = Annotated[str | None, Header(max_length=300)]


def _peer_or_401(workspace: Workspace, node: str | None, authorization: str | None) -> None:
    token = (authorization or "").removeprefix("Bearer ").strip()
    with workspace.sessions() as session:
        peer = session.scalar(select(ExchangePeer).where(ExchangePeer.name == (node or "")))
        if peer is None or not token_ok(peer, token):
            raise HTTPException(401, "unknown node or wrong token (X-Grace-Node, Bearer token)")


@router.get("/banks")
def exchange_banks(
    workspace: WorkspaceDep, node: NodeHeader = None, authorization: AuthHeader = None
) -> dict[str, list[int]]:
    """Banks this node published, with their versions (for ``grace share pull``)."""
    _peer_or_401(workspace, node, authorization)
    found: dict[str, list[int]] = {}
    with workspace.sessions() as session:
        rows = session.execute(
            select(ExchangeBankVersion.bank, ExchangeBankVersion.version)
            .where(ExchangeBankVersion.direction == "published")
            .order_by(ExchangeBankVersion.version)
        )
        for bank, version in rows:
            found.setdefault(bank, []).append(version)
    return found


@router.get("/banks/{bank}/{version}", response_class=Response)
def exchange_bank_delta(
    bank: Annotated[str, Path(max_length=200)],
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    workspace: WorkspaceDep,
    node: NodeHeader = None,
    authorization: AuthHeader = None,
) -> Response:
    """One signed bank delta (a package, application/zip)."""
    _peer_or_401(workspace, node, authorization)
    with workspace.sessions() as session:
        digest = session.scalar(
            select(ExchangeBankVersion.package_sha256).where(
                ExchangeBankVersion.bank == bank,
                ExchangeBankVersion.version == version,
                ExchangeBankVersion.direction == "published",
            )
        )
    if digest is None:
        raise HTTPException(404, "no such bank version")
    return Response(workspace.vault.get(digest), media_type="application/zip")


@router.post("/inbox", openapi_extra=PACKAGE_BODY)
async def exchange_inbox(
    request: Request,
    workspace: WorkspaceDep,
    node: Annotated[str | None, Header(alias=NODE_HEADER, max_length=100)] = None,
    authorization: Annotated[str | None, Header(max_length=300)] = None,
) -> dict[str, Any]:
    """Receive one package from a pinned peer; returns the signed receipt.

    The media of referrals received are then processed in the background, once the inbox
    is quiet (``grace.exchange.autoprocess``; ``GRACE_RECEIVE_MEDIA=0`` turns it off)."""
    _peer_or_401(workspace, node, authorization)
    body = await request.body()
    if len(body) > MAX_PACKAGE:
        raise HTTPException(413, "package too large")
    source = f"inbox:{node}"
    result: dict[str, Any] = await run_in_threadpool(
        receive, workspace, body, source, f"node:{node}"
    )
    if result.get("status") == "ingested" and result.get("referrals"):
        schedule_media(workspace)
    return result


@router.get("/inbox/packages", response_model=list[InboxPackage])
def exchange_inbox_list(
    workspace: WorkspaceDep, principal: DeskUser, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """Received packages, newest first: sender (node, agency, signer), result
    (accepted, already_present, quarantined with the one-line reason) and the referrals it
    brought. An analyst sees the packages of their agency's referrals; packages about no
    referral here (refused ones, outcomes) only users who see every agency."""
    with workspace.sessions() as session:
        return inbox_packages(session, referral_scope(principal), principal.sees_all, limit)


@router.get("/outbox", response_model=list[OutboxDelivery])
def exchange_outbox(
    workspace: WorkspaceDep, principal: DeskUser, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """Deliveries, newest first, one per referral sent: peer and its agency, delivered
    (when; HTTP(S) or an outbox folder), acknowledged (signed receipt verified), and the
    outcome the peer returned. Scoped like the inbox."""
    with workspace.sessions() as session:
        return outbox_rows(session, referral_scope(principal), principal.sees_all, limit)


@router.get("/outcomes", response_model=OutcomeStats)
def exchange_outcome_stats(workspace: WorkspaceDep, principal: DeskUser) -> dict[str, Any]:
    """Outcomes per agency, ESP and incident type, and the median days from receipt to
    outcome, over the referrals this user may see (the coordinator: all)."""
    with workspace.sessions() as session:
        return outcome_stats(session, referral_scope(principal))


@router.get("/referrals/{referral_id}/history")
def exchange_history(
    referral_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    workspace: WorkspaceDep,
    principal: DeskUser,
) -> dict[str, Any]:
    """A referral across nodes: custody here, how it arrived (sender, agency, package
    digest, signer, the sender's custody records), deliveries and outcomes."""
    with workspace.sessions() as session:
        _visible(session, referral_id, principal)
        return desk_history(session, referral_id)


@router.post("/referrals/{referral_id}/outcome")
def exchange_outcome(
    referral_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: OutcomeIn,
    workspace: WorkspaceDep,
    principal: DeskUser,
) -> dict[str, Any]:
    """Record this desk's outcome for a referral (sent back by ``grace send --outcomes``)."""
    with workspace.sessions() as session:
        _visible(session, referral_id, principal)
    try:
        record_outcome(workspace, referral_id, body.outcome, body.reason, principal.actor)
    except ExchangeError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"referral_id": referral_id, "outcome": body.outcome}


def _visible(session: Any, referral_id: int, principal: Principal) -> None:
    found = session.scalar(
        select(Referral.id).where(Referral.id == referral_id, referral_scope(principal))
    )
    if found is None:
        raise HTTPException(404, "no such referral")
