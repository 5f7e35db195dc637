"""Media endpoints of the desk: blurred thumbnails, audited reveals, original downloads,
exposure counts. Every item is checked against the caller's agency scope (404 outside it).

Categorised items (hash-set matches) get no thumbnail and no reveal: the wall shows a badge
instead. Originals are served only as downloads (``Content-Disposition: attachment``, no
sniffing), so a browser never renders or plays evidence inline.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.api.common import JsonId
from grace.api.models import ERRORS
from grace.desk.exposure import revealed_today, team_exposure
from grace.desk.renditions import KEY_FRAMES
from grace.desk.service import blurred_jpeg, colour_data_urls
from grace.desk.wall import hidden_shas
from grace.media.decode import MediaError
from grace.store.tables import ReferralFile
from grace.vault import VaultError
from grace.web.auth import (
    Principal,
    media_in_scope,
    record_view,
    referral_in_scope,
    require_roles,
)
from grace.web.deps import get_workspace
from grace.workspace import Workspace

router = APIRouter(prefix="/api/v1", tags=["media"], responses=ERRORS)
MEDIA_ROLES = ("admin", "supervisor", "analyst")
TEAM_ROLES = ("admin", "supervisor")
REVEAL_SECONDS = 5
BINARY = {"schema": {"type": "string", "format": "binary"}}
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the item")]
MediaUser = Annotated[Principal, Depends(require_roles(*MEDIA_ROLES))]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


class RevealRequest(BaseModel):
    """Optional context for the audit event: which referral the item was revealed from."""

    model_config = ConfigDict(strict=True)  # JSON 0 is not false, "1" is not 1

    referral_id: JsonId | None = None


class RevealResponse(BaseModel):
    sha256: str
    images: list[str] = Field(description="colour renditions as data: URLs (key frames for video)")
    seconds: int = Field(description="how long the page shows them before blurring again")
    exposure_today: int = Field(description="items the caller revealed today, this one included")


class Exposure(BaseModel):
    actor: str
    revealed_today: int
    team: dict[str, int] | None = Field(None, description="per analyst; supervisors and admins")


@router.get(
    "/media/{sha256}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": BINARY}}},
)
def thumbnail(
    sha256: Sha256,
    workspace: WorkspaceDep,
    principal: MediaUser,
    frame: Annotated[int, Query(ge=0, lt=KEY_FRAMES)] = 0,
) -> Response:
    """Small greyscale, heavily blurred JPEG (a video's ``frame``-th key frame)."""
    _check_displayable(workspace, principal, sha256)
    try:
        data = blurred_jpeg(workspace.vault, sha256, frame)
    except IndexError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except MediaError as exc:
        raise HTTPException(status_code=422, detail=f"no preview: {exc}") from exc
    except VaultError as exc:
        raise HTTPException(status_code=404, detail="item missing from the vault") from exc
    return Response(data, media_type="image/jpeg", headers=NO_STORE)


@router.post("/media/{sha256}/reveal", response_model=RevealResponse)
def reveal(
    sha256: Sha256,
    workspace: WorkspaceDep,
    principal: MediaUser,
    response: Response,
    body: Annotated[RevealRequest | None, Body()] = None,
) -> RevealResponse:
    """Colour renditions for a few seconds; audited as ``reveal`` (counts toward exposure)."""
    response.headers.update(NO_STORE)  # the colour rendition must not linger in any cache
    if body is not None and body.referral_id is not None:
        with workspace.sessions() as session:
            _check_context(session, principal, body.referral_id, sha256)
    _check_displayable(workspace, principal, sha256)
    try:
        images = colour_data_urls(workspace.vault, sha256)
    except MediaError as exc:
        raise HTTPException(status_code=422, detail=f"no preview: {exc}") from exc
    except VaultError as exc:
        raise HTTPException(status_code=404, detail="item missing from the vault") from exc
    details: dict[str, Any] = {"agency": principal.agency, "seconds": REVEAL_SECONDS}
    if body is not None and body.referral_id is not None:
        details["referral_id"] = body.referral_id
    with workspace.sessions.begin() as session:
        record_view(
            session, workspace, principal, "media", sha256, action="reveal", details=details
        )
    workspace.audit.save_anchor()
    with workspace.sessions() as session:
        count = revealed_today(session, principal.actor)
    return RevealResponse(
        sha256=sha256, images=images, seconds=REVEAL_SECONDS, exposure_today=count
    )


@router.get(
    "/media/{sha256}/original",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": BINARY}}},
)
def original(
    sha256: Sha256,
    workspace: WorkspaceDep,
    principal: MediaUser,
    confirm: Annotated[
        bool, Query(description="required for categorised items: the analyst confirmed")
    ] = False,
) -> Response:
    """The original bytes as a download (never inline); audited as a ``view``.

    A categorised item (a hash-set match, withheld on the wall) is served only once the
    analyst confirmed (``?confirm=true``), and that download is audited as a ``reveal`` so
    that it counts toward the analyst's exposure like any look at the item in colour.
    """
    with workspace.sessions.begin() as session:
        media_in_scope(session, principal, sha256)
        withheld = bool(hidden_shas(session, [sha256]))
        if withheld and not confirm:
            raise HTTPException(
                status_code=409,
                detail="categorised by a hash set: confirm the download (?confirm=true); "
                "it is recorded like a reveal",
            )
        action = "reveal" if withheld else "view"
        details = {"rendition": "original", **({"agency": principal.agency} if withheld else {})}
        record_view(session, workspace, principal, "media", sha256, action=action, details=details)
    workspace.audit.save_anchor()
    try:
        data = workspace.vault.get(sha256)
    except VaultError as exc:
        raise HTTPException(status_code=404, detail="item missing from the vault") from exc
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{sha256}.bin"'}
    return Response(data, media_type="application/octet-stream", headers=headers)


@router.get("/exposure", response_model=Exposure)
def exposure(workspace: WorkspaceDep, principal: MediaUser) -> Exposure:
    """Items the caller revealed today; supervisors also get their team's counts."""
    with workspace.sessions() as session:
        mine = revealed_today(session, principal.actor)
        team = None
        if principal.role in TEAM_ROLES:
            team = team_exposure(session, None if principal.sees_all else principal.agency)
    return Exposure(actor=principal.actor, revealed_today=mine, team=team)


def _check_displayable(workspace: Workspace, principal: Principal, sha256: str) -> None:
    """404 outside the caller's scope; 403 for items a hash set already categorised, and
    for items not yet matched against the hash sets (nobody can say yet they are not)."""
    with workspace.sessions() as session:
        media_in_scope(session, principal, sha256)
        if hidden_shas(session, [sha256]):
            raise HTTPException(
                status_code=403,
                detail="categorised by a hash set, or not yet matched: not displayed "
                "(download the original if needed)",
            )


def _check_context(session: Session, principal: Principal, referral_id: int, sha256: str) -> None:
    """The referral a reveal names must be the caller's and hold the item: the audit trail
    must not record a reveal against another agency's (or an unrelated) referral."""
    referral_in_scope(session, principal, referral_id)
    held = session.scalar(
        select(ReferralFile.id)
        .where(ReferralFile.referral_id == referral_id, ReferralFile.sha256 == sha256)
        .limit(1)
    )
    if held is None:
        raise HTTPException(404, f"no media with sha256 {sha256[:64]} in referral {referral_id}")
