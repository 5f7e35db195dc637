"""Build a signed export package for a receiving agency (see ``layout`` for the contents).

The zip is written beside its target under a temporary name, made durable, audited, and
only then renamed into place: a package never exists without its audit event, and a crash
never leaves a half-written package under the real name. Evidence is read from the vault one
object at a time (vault objects are sealed whole, so one object is the smallest unit), never
all at once. Custody is not touched: exporting copies evidence, it does not move it.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grace import __version__
from grace.exports.audit import Recorder, trail_recorder
from grace.exports.documents import manifest_entry, referral_document
from grace.exports.layout import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SIGNATURE,
    SIGNER,
    file_member,
    manifest_bytes,
    referral_member,
)
from grace.exports.selection import SelectedFile, Selection, select_files
from grace.exports.signing import ALGORITHM, fingerprint, load_or_create_signing_key, public_pem
from grace.exports.store import PackageRecord, package_path, save_record
from grace.vault import Vault, digests
from grace.workspace import Workspace

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PackageResult:
    package_id: str
    path: Path
    manifest_sha256: str
    referral_ids: list[int]
    files: int
    excluded: int
    not_in_vault: int
    signer_fingerprint: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def workspace_id(workspace: Workspace) -> str:
    """A stable, path-free id of the workspace (the id ``init`` saved, else a digest of its
    creation time) so partners can tell packages of different units apart."""
    saved = workspace.settings.get("workspace_id") or workspace.settings.get("id")
    if saved:
        return str(saved)
    created = str(workspace.settings.get("created_at", ""))
    return "ws-" + hashlib.sha256(created.encode()).hexdigest()[:16]


def build_package(
    workspace: Workspace,
    referral_ids: Sequence[int],
    *,
    actor: str,
    out: Path | None = None,
    all_files: bool = False,
    file_ids: Sequence[int] | None = None,
    agency: str | None = None,
    progress: Progress | None = None,
    recorder: Recorder | None = None,
) -> PackageResult:
    """Write the package (to ``out``, or kept under the workspace's ``exports/``).

    ``recorder`` appends the audit events (default: straight to the trail as ``actor``).
    """
    key = load_or_create_signing_key(workspace.home)
    package_id = uuid.uuid4().hex
    kept = out is None
    target = package_path(workspace.home, package_id) if out is None else out.resolve()
    with workspace.sessions() as session:
        selection = select_files(session, referral_ids, all_files=all_files, file_ids=file_ids)
        documents = [referral_document(session, rid) for rid in selection.referral_ids]
    header: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": package_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "creator": actor,
        "workspace_id": workspace_id(workspace),
        "grace_version": __version__,
        "signer": {"algorithm": ALGORITHM, "fingerprint": fingerprint(key.public_key())},
        "selection": selection.describe(),
    }
    tmp = target.parent / f".{target.name}.{package_id}.tmp"
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            manifest = _write_members(
                archive, workspace.vault, header, documents, selection, progress
            )
            body = manifest_bytes(manifest)
            _add(archive, MANIFEST, body, zipfile.ZIP_DEFLATED)
            _add(archive, SIGNATURE, key.sign(body), zipfile.ZIP_STORED)
            _add(archive, SIGNER, public_pem(key.public_key()), zipfile.ZIP_STORED)
        _fsync(tmp)
        result = PackageResult(
            package_id=package_id,
            path=target,
            manifest_sha256=hashlib.sha256(body).hexdigest(),
            referral_ids=selection.referral_ids,
            files=len(selection.files),
            excluded=len(selection.excluded),
            not_in_vault=len(selection.missing),
            signer_fingerprint=header["signer"]["fingerprint"],
            size=tmp.stat().st_size,
        )
        _audit(workspace, result, recorder or trail_recorder(workspace, actor), selection.mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if kept:
        save_record(workspace.home, _record(result, actor, agency, header["created_at"]))
    return result


def _write_members(
    archive: zipfile.ZipFile,
    vault: Vault,
    header: dict[str, Any],
    documents: list[dict[str, Any]],
    selection: Selection,
    progress: Progress | None,
) -> dict[str, Any]:
    referrals = []
    for detail in documents:
        data = (json.dumps(detail, indent=2, ensure_ascii=False, default=str) + "\n").encode()
        path = referral_member(int(detail["id"]))
        _add(archive, path, data, zipfile.ZIP_DEFLATED)
        referrals.append({**manifest_entry(detail), "path": path, **_digests(data)})
    files = []
    for done, item in enumerate(selection.files, 1):
        files.append(_write_evidence(archive, vault, item))
        if progress:
            progress(done, len(selection.files))
    return {**header, "referrals": referrals, "files": files}


def _write_evidence(archive: zipfile.ZipFile, vault: Vault, item: SelectedFile) -> dict[str, Any]:
    data = vault.get(item.sha256)  # proves on the way that the bytes still hash to their name
    path = file_member(item.referral_id, item.file_id, item.name)
    _add(archive, path, data, zipfile.ZIP_STORED)  # media is compressed already
    return {
        "path": path,
        "referral_id": item.referral_id,
        "file_id": item.file_id,
        "original_name": item.name,
        "media_status": item.media_status,
        **_digests(data),
    }


def _digests(data: bytes) -> dict[str, Any]:
    found = digests(data)
    return {"size": found.size, "md5": found.md5, "sha1": found.sha1, "sha256": found.sha256}


def _add(archive: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = method
    info.external_attr = 0o100644 << 16  # a regular file, readable: never a link
    archive.writestr(info, data)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _audit(workspace: Workspace, result: PackageResult, record: Recorder, mode: str) -> None:
    """One event for the package and one per referral, so each referral's history shows it."""
    details = {
        "manifest_sha256": result.manifest_sha256,
        "files": result.files,
        "excluded": result.excluded,
        "selection": mode,
        "referral_ids": result.referral_ids,
        "signer": result.signer_fingerprint,
    }
    with workspace.sessions.begin() as session:
        record(session, "export_package", result.package_id, details)
        for referral_id in result.referral_ids:
            record(
                session,
                "referral",
                str(referral_id),
                {"package_id": result.package_id, "manifest_sha256": result.manifest_sha256},
            )
    workspace.audit.save_anchor()


def _record(result: PackageResult, actor: str, agency: str | None, created: str) -> PackageRecord:
    return PackageRecord(
        package_id=result.package_id,
        creator=actor,
        agency=agency,
        created_at=created,
        referral_ids=result.referral_ids,
        manifest_sha256=result.manifest_sha256,
        files=result.files,
        size=result.size,
    )
