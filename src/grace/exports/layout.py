"""What an export package contains and how its names and manifest bytes are formed.

Shared by the writer and the verifier so the two can never disagree about the layout:

    manifest.json          the signed manifest (UTF-8 JSON, sorted keys, 2-space indent)
    manifest.sig           raw 64-byte Ed25519 signature over the exact manifest.json bytes
    signer.pub             the signer's public key (PEM SubjectPublicKeyInfo)
    referrals/<id>.json    one document per referral (listed in the manifest with hashes)
    files/<referral>/<file id>-<name>   the evidence, byte-exact as received
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

FORMAT = "grace-export-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNER = "signer.pub"
CONTROL = frozenset({MANIFEST, SIGNATURE, SIGNER})
DIGEST_KEYS = ("size", "md5", "sha1", "sha256")

_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 80


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The one byte form of a manifest that gets signed (stable: sorted keys, no NaN)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def referral_member(referral_id: int) -> str:
    return f"referrals/{referral_id}.json"


def file_member(referral_id: int, file_id: int, name: str | None) -> str:
    """A collision-free, portable member name: the file id makes it unique, the sanitised
    original name keeps it recognisable on the receiving side."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_CHARS.sub("_", base).strip("._")[-_MAX_NAME:] or "file"
    return f"files/{referral_id}/{file_id}-{cleaned}"


def listed_members(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every member the manifest vouches for (referral documents and evidence files)."""
    for key in ("referrals", "files"):
        items = manifest.get(key)
        if isinstance(items, list):
            yield from (item for item in items if isinstance(item, dict))


def unsafe_name(name: str) -> str | None:
    """Why a member name could escape or confuse an extraction folder, or None if safe."""
    if not name or "\x00" in name:
        return "empty or NUL in name"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if "\\" in name:
        return "backslash in name"
    parts = name.split("/")
    if any(part in ("..", ".") for part in parts):
        return "path traversal"
    if any(part == "" for part in parts):
        return "empty path component"
    return None
