"""Each fuzz target's check by name, without atheris: for replaying saved inputs in pytest."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import archive_target
import bank_target
import ingest_target
import media_target

from grace.banks import ParsedBank, read_csv, read_pdq_list, read_vics
from grace.banks.values import decode_text
from grace.ingest.cybertip_xml import CybertipXmlIngestor
from grace.ingest.grace_json import GraceJsonIngestor
from grace.ingest.ncmec_le_json import NcmecLeJsonIngestor

Check = Callable[[bytes], None]


def _csv(data: bytes) -> ParsedBank:
    return read_csv(decode_text(data))


def _pdq(data: bytes) -> ParsedBank:
    return read_pdq_list(decode_text(data))


def checks(scratch: Path) -> dict[str, Check]:
    """Target name -> check; the archive check writes its input under ``scratch``."""
    return {
        "cybertip_xml": partial(ingest_target.check, CybertipXmlIngestor()),
        "ncmec_le_json": partial(ingest_target.check, NcmecLeJsonIngestor()),
        "grace_json": partial(ingest_target.check, GraceJsonIngestor()),
        "vics": partial(bank_target.check, read_vics),
        "csv": partial(bank_target.check, _csv),
        "pdq": partial(bank_target.check, _pdq),
        "archive": partial(archive_target.check, scratch / "input.zip"),
        "decode": media_target.check,
    }
