"""Check an export package: signature, every member's size and hashes, and the zip itself.

A receiving agency runs this before trusting anything inside. Every problem is reported as
one line (not only the first), and the zip is never extracted: members are hashed as
streams, so a hostile archive (traversal names, duplicates, links, bombs with lying sizes)
can do no harm here. Without a pinned key the check proves integrity only: anyone can sign
a package with a key of their own and put that key inside.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from grace.exports.layout import (
    CONTROL,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SIGNATURE,
    SIGNER,
    listed_members,
    unsafe_name,
)
from grace.exports.signing import (
    SigningKeyError,
    fingerprint,
    load_public_key,
    raw_public,
    signature_ok,
)

CHUNK = 1 << 20
CONTROL_LIMITS = {MANIFEST: 256 << 20, SIGNATURE: 1024, SIGNER: 16 << 10}
UNPINNED = "signer key not pinned (--key): the embedded key proves integrity, not origin"


@dataclass
class VerifyReport:
    package: str
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signer_fingerprint: str | None = None
    key_pinned: bool = False
    package_id: str | None = None
    manifest_sha256: str | None = None
    members_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "valid": self.ok,
            "reasons": self.reasons,
            "warnings": self.warnings,
            "signer_fingerprint": self.signer_fingerprint,
            "key_pinned": self.key_pinned,
            "package_id": self.package_id,
            "manifest_sha256": self.manifest_sha256,
            "members_checked": self.members_checked,
        }


def verify_package(path: Path, pinned: Ed25519PublicKey | None = None) -> VerifyReport:
    """Every reason the package at ``path`` cannot be trusted; none means it is intact."""
    report = VerifyReport(package=str(path), key_pinned=pinned is not None)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.reasons.append(f"not a readable zip archive: {exc}")
        return report
    with archive:
        infos = _checked_infos(archive, report)
        control = {name: _read_control(archive, infos, name, report) for name in sorted(CONTROL)}
        manifest = _check_signature(control, pinned, report)
        if manifest is not None:
            _check_members(archive, infos, manifest, report)
    if pinned is None:
        report.warnings.append(UNPINNED)
    return report


def _checked_infos(archive: zipfile.ZipFile, report: VerifyReport) -> dict[str, zipfile.ZipInfo]:
    """Members by name; names that are unsafe, duplicated, links or encrypted are reasons."""
    infos = archive.infolist()
    counts = Counter(info.filename for info in infos)
    report.reasons.extend(f"duplicate member {name!r}" for name, n in counts.items() if n > 1)
    safe: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        why = unsafe_name(info.filename)
        mode = info.external_attr >> 16
        if why:
            report.reasons.append(f"unsafe member name {info.filename!r}: {why}")
        elif info.is_dir() or stat.S_ISLNK(mode):
            report.reasons.append(f"member {info.filename!r} is not a plain file")
        elif info.flag_bits & 0x1:
            report.reasons.append(f"member {info.filename!r} is encrypted")
        elif counts[info.filename] == 1:
            safe[info.filename] = info
    return safe


def _read_control(
    archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], name: str, report: VerifyReport
) -> bytes | None:
    info = infos.get(name)
    if info is None:
        report.reasons.append(f"missing {name}")
        return None
    if info.file_size > CONTROL_LIMITS[name]:
        report.reasons.append(f"{name} is implausibly large ({info.file_size} bytes)")
        return None
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        report.reasons.append(f"{name} is unreadable: {exc}")
        return None


def _check_signature(
    control: dict[str, bytes | None], pinned: Ed25519PublicKey | None, report: VerifyReport
) -> dict[str, Any] | None:
    """The parsed manifest (checked or not, so that members can still be reported)."""
    body, signature, signer = control[MANIFEST], control[SIGNATURE], control[SIGNER]
    key = _signer(signer, report)
    if key is not None and pinned is not None and raw_public(key) != raw_public(pinned):
        report.reasons.append(
            f"signer {fingerprint(key)} is not the pinned key {fingerprint(pinned)}"
        )
    if body is None:
        return None
    report.manifest_sha256 = hashlib.sha256(body).hexdigest()
    if key is not None and signature is not None and not signature_ok(key, signature, body):
        report.reasons.append(f"{SIGNATURE} does not match {MANIFEST} (altered or swapped)")
    try:
        manifest = json.loads(body)
    except (ValueError, RecursionError) as exc:
        report.reasons.append(f"{MANIFEST} is not JSON: {exc}")
        return None
    if not isinstance(manifest, dict):
        report.reasons.append(f"{MANIFEST} is not a JSON object")
        return None
    _check_header(manifest, key, report)
    return manifest


def _signer(signer: bytes | None, report: VerifyReport) -> Ed25519PublicKey | None:
    if signer is None:
        return None
    try:
        key = load_public_key(signer)
    except (SigningKeyError, ValueError) as exc:
        report.reasons.append(f"{SIGNER} is not an Ed25519 public key: {exc}")
        return None
    report.signer_fingerprint = fingerprint(key)
    return key


def _check_header(
    manifest: dict[str, Any], key: Ed25519PublicKey | None, report: VerifyReport
) -> None:
    report.package_id = str(manifest.get("package_id")) if manifest.get("package_id") else None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        report.reasons.append(
            f"{MANIFEST}: unknown format {manifest.get('format')!r} "
            f"version {manifest.get('format_version')!r}"
        )
    declared = (manifest.get("signer") or {}).get("fingerprint")
    if key is not None and declared != fingerprint(key):
        report.reasons.append(f"{MANIFEST} names signer {declared!r}, {SIGNER} is another key")


def _check_members(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    report: VerifyReport,
) -> None:
    listed: dict[str, dict[str, Any]] = {}
    for entry in listed_members(manifest):
        name = entry.get("path")
        if not isinstance(name, str) or unsafe_name(name) or name in CONTROL:
            report.reasons.append(f"{MANIFEST} lists an invalid path {name!r}")
        elif name in listed:
            report.reasons.append(f"{MANIFEST} lists {name!r} twice")
        else:
            listed[name] = entry
    present = set(infos) - CONTROL
    report.reasons.extend(
        f"extra member {n!r} (not in the manifest)" for n in sorted(present - set(listed))
    )
    report.reasons.extend(
        f"missing member {n!r} (listed in the manifest)" for n in sorted(set(listed) - present)
    )
    for name in sorted(present & set(listed)):
        report.reasons.extend(_check_member(archive, infos[name], listed[name]))
        report.members_checked += 1


def _check_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: dict[str, Any]
) -> list[str]:
    """Hash one member as a stream; reading stops at the size the manifest promises."""
    expected_size = entry.get("size")
    if not isinstance(expected_size, int) or isinstance(expected_size, bool) or expected_size < 0:
        return [f"member {info.filename!r}: manifest gives no valid size"]
    hashers = {
        "md5": hashlib.md5(usedforsecurity=False),
        "sha1": hashlib.sha1(usedforsecurity=False),
        "sha256": hashlib.sha256(),
    }
    size = 0
    try:
        with archive.open(info) as stream:
            while size <= expected_size and (chunk := stream.read(CHUNK)):
                size += len(chunk)
                for hasher in hashers.values():
                    hasher.update(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        return [f"member {info.filename!r}: unreadable ({exc})"]
    if size != expected_size:
        return [f"member {info.filename!r}: size differs from the manifest"]
    return [
        f"member {info.filename!r}: {kind} differs from the manifest"
        for kind, hasher in hashers.items()
        if hasher.hexdigest() != entry.get(kind)
    ]
