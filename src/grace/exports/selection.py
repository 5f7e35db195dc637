"""Which evidence files go into a package.

By default the files already categorised by a known hash-set match are left out: the
receiving agency has them graded already, and copying them again only multiplies the places
where known material sits. ``all_files`` includes them; ``file_ids`` picks exact files.
What was left out, and why, is written into the manifest so nobody mistakes it for loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.tables import Referral, ReferralFile

EXCLUDED_BY_DEFAULT = frozenset({"known"})


class ExportError(ValueError):
    """The export cannot be made as asked; the message is one line."""


@dataclass(frozen=True)
class SelectedFile:
    referral_id: int
    file_id: int
    sha256: str
    name: str | None
    media_status: str | None


@dataclass
class Selection:
    referral_ids: list[int]
    mode: str  # default | all_files | file_ids
    files: list[SelectedFile] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """The manifest's account of the selection, in words and in lists."""
        notes = {
            "default": "files categorised by a known hash-set match are excluded "
            "(export with all files to include them)",
            "all_files": "every file of the referrals whose bytes are held",
            "file_ids": "only the files named by the exporter",
        }
        return {
            "mode": self.mode,
            "note": notes[self.mode],
            "excluded_statuses": sorted(EXCLUDED_BY_DEFAULT) if self.mode == "default" else [],
            "excluded": self.excluded,
            "not_in_vault": self.missing,
        }


def select_files(
    session: Session,
    referral_ids: Sequence[int],
    *,
    all_files: bool = False,
    file_ids: Sequence[int] | None = None,
) -> Selection:
    """Resolve the request against the database; unknown ids raise ``ExportError``."""
    ids = list(dict.fromkeys(referral_ids))
    if not ids:
        raise ExportError("no referrals given")
    found = set(session.scalars(select(Referral.id).where(Referral.id.in_(ids))))
    for referral_id in ids:
        if referral_id not in found:
            raise ExportError(f"no referral with id {referral_id}")
    mode = "file_ids" if file_ids else "all_files" if all_files else "default"
    selection = Selection(referral_ids=ids, mode=mode)
    rows = list(
        session.scalars(
            select(ReferralFile)
            .where(ReferralFile.referral_id.in_(ids))
            .order_by(ReferralFile.referral_id, ReferralFile.id)
        )
    )
    wanted = set(file_ids or ())
    unknown = wanted - {row.id for row in rows}
    if unknown:
        raise ExportError(f"file ids not in these referrals: {sorted(unknown)}")
    for row in rows:
        _place(selection, row, wanted)
    return selection


def _place(selection: Selection, row: ReferralFile, wanted: set[int]) -> None:
    ref = {"referral_id": row.referral_id, "file_id": row.id, "sha256": row.sha256}
    if wanted and row.id not in wanted:
        return
    if row.sha256 is None:
        selection.missing.append({**ref, "name": row.original_name or row.name})
        return
    if selection.mode == "default" and row.media_status in EXCLUDED_BY_DEFAULT:
        selection.excluded.append({**ref, "media_status": row.media_status})
        return
    selection.files.append(
        SelectedFile(
            referral_id=row.referral_id,
            file_id=row.id,
            sha256=row.sha256,
            name=row.original_name or row.name,
            media_status=row.media_status,
        )
    )
