"""The exchange package: a zip of members, a manifest naming each member's SHA-256, and
an Ed25519 signature of the manifest by the sending node (docs/exchange.md).

Stored, not compressed: media are compressed already, and the receiver hashes each member
as it reads it. The manifest is signed as written (its exact bytes), so stock OpenSSL can
check a package without grace. Reading is strict and bounded: a member the manifest does
not list, a listed member missing or altered, or a package over the limits is refused with
one line, before anything is stored.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from grace.exchange.node import ExchangeError, Node
from grace.exports.signing import fingerprint, signature_ok

FORMAT = "grace-exchange/1"
RECEIPT_FORMAT = "grace-exchange-receipt/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
MAX_MEMBERS = 10_000
MAX_BYTES = 4 << 30


class PackageError(ExchangeError):
    """A package cannot be trusted or read; the message is the quarantine reason."""


def canonical(value: Any) -> bytes:
    """One byte string per JSON value (sorted keys, no spaces), for signing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Package:
    """A package's manifest and members, checked or about to be written."""

    manifest: dict[str, Any]
    members: dict[str, bytes] = field(default_factory=dict)

    @property
    def package_id(self) -> str:
        return str(self.manifest["package_id"])

    def member_json(self, name: str) -> Any:
        try:
            return json.loads(self.members[name])
        except (KeyError, ValueError) as exc:
            raise PackageError(f"malformed document: {name} is missing or not JSON") from exc


def build(
    node: Node,
    kind: str,
    recipient: dict[str, Any],
    members: dict[str, bytes],
    about: dict[str, Any] | None = None,
    package_id: str | None = None,
    created_at: datetime | None = None,
    compress: bool = False,
    known: dict[str, str] | None = None,
) -> bytes:
    """Sign and write a package; returns the zip's bytes.

    ``known`` gives the SHA-256 of members whose bytes were just proven to hash to it (a
    vault read checks every object against its name), so they are not hashed twice."""
    known = known or {}
    manifest = {
        "format": FORMAT,
        "package_id": package_id or uuid.uuid4().hex,
        "kind": kind,
        "created_at": (created_at or datetime.now(UTC)).isoformat(),
        "sender": {"node": node.name, "agency": node.agency, "fingerprint": node.fingerprint},
        "recipient": recipient,
        "about": about or {},
        "members": [
            {"name": name, "sha256": known.get(name) or sha256(data), "size": len(data)}
            for name, data in members.items()
        ],
    }
    manifest_bytes = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED  # text deltas shrink
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, node.key.sign(manifest_bytes))
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def read_unverified(data: bytes) -> tuple[dict[str, Any], bytes, bytes, zipfile.ZipFile]:
    """Manifest (parsed and raw), signature and the open archive; nothing trusted yet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if len(names) > MAX_MEMBERS or sum(i.file_size for i in archive.infolist()) > MAX_BYTES:
            raise PackageError("malformed package: over the member or size limit")
        raw = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE)
        manifest = json.loads(raw)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PackageError(f"malformed package: {' '.join(str(exc).split())[:200]}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError(f"malformed package: manifest is not {FORMAT}")
    for key in ("package_id", "kind", "created_at", "sender", "recipient", "members"):
        if key not in manifest:
            raise PackageError(f"malformed package: manifest has no {key}")
    return manifest, raw, signature, archive


def check_signature(raw: bytes, signature: bytes, key: Ed25519PublicKey, sender: str) -> None:
    if not signature_ok(key, signature, raw):
        raise PackageError(
            f"bad signature: the manifest is not signed by the key pinned for {sender} "
            f"({fingerprint(key)})"
        )


def read_members(manifest: dict[str, Any], archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Every listed member, hashed against the manifest; an unlisted one is refused."""
    listed = {str(m["name"]): m for m in manifest["members"]}
    extra = set(archive.namelist()) - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise PackageError(f"tampered package: member {sorted(extra)[0]} is not in the manifest")
    members: dict[str, bytes] = {}
    for name, entry in listed.items():
        try:
            data = archive.read(name)
        except KeyError:
            raise PackageError(f"tampered package: member {name} is missing") from None
        except (zipfile.BadZipFile, OSError) as exc:  # a CRC error is an altered member
            raise PackageError(f"tampered member {name}: {exc}") from None
        if sha256(data) != entry["sha256"]:
            raise PackageError(f"tampered member {name}: SHA-256 differs from the manifest")
        members[name] = data
    return members


def sign_receipt(key: Ed25519PrivateKey, body: dict[str, Any]) -> dict[str, Any]:
    body = {"format": RECEIPT_FORMAT, **body}
    return {**body, "signature": base64.b64encode(key.sign(canonical(body))).decode()}


def receipt_ok(key: Ed25519PublicKey, receipt: dict[str, Any]) -> bool:
    body = {k: v for k, v in receipt.items() if k != "signature"}
    try:
        signature = base64.b64decode(str(receipt.get("signature", "")), validate=True)
    except ValueError:
        return False
    return body.get("format") == RECEIPT_FORMAT and signature_ok(key, signature, canonical(body))
