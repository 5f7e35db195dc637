"""VICS 2.0 JSON of categorised media, for Griffeye / Project VIC tools.

Reuses the hash-set writer (``grace.banks.write_vics2``), so what grace exports reads back
with grace's own VICS reader and with the tools partners use. Only hashes and categories
leave: no file names (they can carry account names) and no pixels.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from grace import __version__
from grace.banks import BankEntry, resolve, write_vics2
from grace.banks.categories import DEFAULT_SCHEME
from grace.exports.categorised import Graded, categorised_media
from grace.store.media_tables import Media
from grace.store.tables import VaultObject


def vics_entries(session: Session, scope: ColumnElement[bool] | None = None) -> list[BankEntry]:
    """One VICS Media record per categorised media item in scope, ordered by media id."""
    graded = categorised_media(session, scope)
    if not graded:
        return []
    rows = session.execute(
        select(Media.id, Media.sha256, Media.pdq, VaultObject.md5, VaultObject.sha1)
        .add_columns(VaultObject.size)
        .join(VaultObject, VaultObject.sha256 == Media.sha256)
        .where(Media.sha256.in_(sorted(graded)))
        .order_by(Media.id)
    )
    return [
        _entry(graded[sha], media_id, sha, pdq, md5, sha1, size)
        for media_id, sha, pdq, md5, sha1, size in rows
    ]


def _entry(
    graded: Graded, media_id: int, sha: str, pdq: str | None, md5: str, sha1: str, size: int
) -> BankEntry:
    category, _ = resolve(graded.scheme, graded.code)
    return BankEntry(
        media_id=str(media_id),
        category=category,
        md5=md5,
        sha1=sha1,
        sha256=sha,
        pdq=pdq,
        size=size,
        is_distributed=graded.is_distributed,
        tags=[f"grace:{graded.source}"],
    )


def write_vics_export(entries: list[BankEntry], case_number: str | None = None) -> bytes:
    """The VICS 2.0 document; its profile follows the scheme most entries use."""
    schemes = Counter(e.category.scheme for e in entries if e.category is not None)
    scheme = schemes.most_common(1)[0][0] if schemes else DEFAULT_SCHEME
    case = {"SourceApplicationName": "grace", "SourceApplicationVersion": __version__}
    if case_number:
        case["CaseNumber"] = case_number
    return write_vics2(entries, case, scheme=scheme)
