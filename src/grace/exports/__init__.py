"""Exports for receiving agencies and partner tools: signed packages, VICS 2.0, queue CSV."""

from grace.exports.package import PackageResult, build_package
from grace.exports.queue_csv import COLUMNS as QUEUE_COLUMNS
from grace.exports.queue_csv import queue_csv
from grace.exports.selection import ExportError
from grace.exports.signing import SigningKeyError, load_or_create_signing_key
from grace.exports.verify import VerifyReport, verify_package
from grace.exports.vics import vics_entries, write_vics_export

__all__ = [
    "QUEUE_COLUMNS",
    "ExportError",
    "PackageResult",
    "SigningKeyError",
    "VerifyReport",
    "build_package",
    "load_or_create_signing_key",
    "queue_csv",
    "verify_package",
    "vics_entries",
    "write_vics_export",
]
