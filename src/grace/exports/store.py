"""Packages kept in the workspace home (``exports/``), each with a small JSON record.

No table: a package is a file, and who made it for which agency is needed only to decide who
may download it again. The audit trail holds the authoritative account of every export.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

FOLDER = "exports"
_PACKAGE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class PackageRecord:
    package_id: str
    creator: str
    agency: str | None
    created_at: str
    referral_ids: list[int]
    manifest_sha256: str
    files: int
    size: int


def exports_dir(home: Path) -> Path:
    folder = home / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def valid_id(package_id: str) -> bool:
    return bool(_PACKAGE_ID.fullmatch(package_id))


def package_path(home: Path, package_id: str) -> Path:
    if not valid_id(package_id):
        raise ValueError(f"not a package id: {package_id!r}")
    return exports_dir(home) / f"{package_id}.zip"


def save_record(home: Path, record: PackageRecord) -> None:
    target = exports_dir(home) / f"{record.package_id}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def load_record(home: Path, package_id: str) -> PackageRecord | None:
    """The record of a stored package, or None when there is no such package."""
    if not valid_id(package_id):
        return None
    path = exports_dir(home) / f"{package_id}.json"
    if not path.exists() or not package_path(home, package_id).exists():
        return None
    try:
        return PackageRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):  # a damaged record: treat the package as gone
        return None
