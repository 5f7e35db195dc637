"""``/api/v1/exports``: signed packages, VICS 2.0 JSON and the queue as CSV, all scoped.

A package may only hold referrals the caller can see (any other id reads as missing: 404),
is kept under the workspace's ``exports/`` and can be downloaded again only by its creator,
an admin, or a supervisor of the creator's agency. Every export and download is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from grace.api.common import JsonId
from grace.api.models import ERRORS
from grace.exports import ExportError, build_package, queue_csv, vics_entries, write_vics_export
from grace.exports.audit import Recorder, record_export
from grace.exports.store import PackageRecord, load_record, package_path
from grace.vault import VaultError
from grace.web.auth import (
    Principal,
    current_principal,
    record_view,
    referral_in_scope,
    referral_scope,
    require_roles,
)
from grace.web.deps import get_workspace
from grace.workspace import Workspace

router = APIRouter(prefix="/api/v1/exports", tags=["exports"], responses=ERRORS)
EXPORTERS = ("admin", "supervisor", "analyst")
PACKAGE_ID = r"^[0-9a-f]{32}$"
ZIP_SCHEMA = {"type": "string", "format": "binary"}

WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
ExporterDep = Annotated[Principal, Depends(require_roles(*EXPORTERS))]
RowId = JsonId  # database integer ids


class ExportRequest(BaseModel):
    """Referrals to package; by default files known from hash sets are left out."""

    model_config = ConfigDict(extra="forbid", strict=True)  # JSON 0 is not false
    referral_ids: list[RowId] = Field(min_length=1, max_length=500)
    all_files: bool = False
    file_ids: list[RowId] | None = Field(default=None, max_length=10_000)


class ExportCreated(BaseModel):
    id: str
    download_url: str
    manifest_sha256: str
    referral_ids: list[int]
    files: int
    excluded: int
    not_in_vault: int
    signer_fingerprint: str
    size: int


def _recorder(workspace: Workspace, principal: Principal) -> Recorder:
    def record(session: Session, object_type: str, object_id: str, details: dict[str, Any]) -> None:
        record_view(session, workspace, principal, object_type, object_id, "export", details)

    return record


@router.post("", status_code=201, response_model=ExportCreated)
def create_export(
    body: ExportRequest, workspace: WorkspaceDep, principal: ExporterDep
) -> ExportCreated:
    """Build a signed package of referrals in the caller's scope (audited)."""
    with workspace.sessions() as session:
        for referral_id in body.referral_ids:
            referral_in_scope(session, principal, referral_id)
    try:
        result = build_package(
            workspace,
            body.referral_ids,
            actor=principal.actor,
            all_files=body.all_files,
            file_ids=body.file_ids,
            agency=principal.agency,
            recorder=_recorder(workspace, principal),
        )
    except ExportError as exc:
        raise HTTPException(422, str(exc)) from exc
    except VaultError as exc:
        raise HTTPException(500, f"evidence could not be read from the vault: {exc}") from exc
    return ExportCreated(
        id=result.package_id,
        download_url=f"{router.prefix}/{result.package_id}",
        manifest_sha256=result.manifest_sha256,
        referral_ids=result.referral_ids,
        files=result.files,
        excluded=result.excluded,
        not_in_vault=result.not_in_vault,
        signer_fingerprint=result.signer_fingerprint,
        size=result.size,
    )


@router.get(
    "/vics",
    response_class=Response,
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def export_vics(workspace: WorkspaceDep, principal: ExporterDep) -> Response:
    """VICS 2.0 JSON of the categorised media of referrals in the caller's scope (audited)."""
    with workspace.sessions() as session:
        entries = vics_entries(session, None if principal.sees_all else referral_scope(principal))
    data = write_vics_export(entries)
    details = {"media": len(entries), "scope": "all" if principal.sees_all else principal.agency}
    record_export(workspace, _recorder(workspace, principal), "vics", data, details)
    return Response(data, media_type="application/json", headers=_attachment("grace-vics.json"))


@router.get(
    "/queue.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export_queue_csv(
    workspace: WorkspaceDep,
    principal: ExporterDep,
    agency: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The queue as CSV (columns of the queue listing), limited to the caller's scope."""
    with workspace.sessions() as session:
        text = "".join(queue_csv(session, agency, referral_scope(principal)))
    data = text.encode("utf-8")
    details = {"rows": text.count("\r\n") - 1, "agency": agency}
    record_export(workspace, _recorder(workspace, principal), "queue_csv", data, details)
    return Response(
        data, media_type="text/csv; charset=utf-8", headers=_attachment("grace-queue.csv")
    )


@router.get(
    "/{package_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {"schema": ZIP_SCHEMA}}}},
)
def download_export(
    workspace: WorkspaceDep,
    principal: Annotated[Principal, Depends(current_principal)],
    package_id: Annotated[str, Path(pattern=PACKAGE_ID)],
) -> FileResponse:
    """Download a package again: its creator, an admin, or a supervisor of its agency."""
    record = load_record(workspace.home, package_id)
    if record is None or not _may_download(principal, record):
        raise HTTPException(404, f"no export package {package_id}")
    with workspace.sessions.begin() as session:
        details = {"manifest_sha256": record.manifest_sha256, "creator": record.creator}
        record_view(
            session, workspace, principal, "export_package", package_id, "download", details
        )
    return FileResponse(
        package_path(workspace.home, package_id),
        media_type="application/zip",
        filename=f"grace-export-{package_id}.zip",
    )


def _may_download(principal: Principal, record: PackageRecord) -> bool:
    if record.creator == principal.actor or principal.role == "admin":
        return True
    return (
        principal.role == "supervisor"
        and principal.agency is not None
        and principal.agency == record.agency
    )


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
