"""Hash-set (bank) formats: VICS JSON, CSV and PDQ lists, read and written without a database.

Everything here is pure bytes-in, models-out so that importing a partner's set, exporting
grace's own and checking conformance can all be tested without PostgreSQL.
"""

from grace.banks.categories import (
    DEFAULT_SCHEME,
    CategoryScheme,
    CategorySchemeError,
    SchemeRegistry,
    load_schemes,
    resolve,
)
from grace.banks.csvfmt import read_csv, write_csv
from grace.banks.detect import read_bank
from grace.banks.model import BankEntry, BankFormatError, Category, ParsedBank
from grace.banks.pdqlist import read_pdq_list, write_pdq_list
from grace.banks.vics import parse_vics, read_vics
from grace.banks.vics_write import write_vics2

__all__ = [
    "DEFAULT_SCHEME",
    "BankEntry",
    "BankFormatError",
    "Category",
    "CategoryScheme",
    "CategorySchemeError",
    "ParsedBank",
    "SchemeRegistry",
    "load_schemes",
    "parse_vics",
    "read_bank",
    "read_csv",
    "read_pdq_list",
    "read_vics",
    "resolve",
    "write_csv",
    "write_pdq_list",
    "write_vics2",
]
