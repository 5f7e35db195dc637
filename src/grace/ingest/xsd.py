"""Check ESP XML against NCMEC's CyberTipline XSD, as warnings rather than refusals.

The XSD is NCMEC's and moves over time (``GET /ispws/xsd``), so grace does not ship a
copy: its location is configuration (``GRACE_NCMEC_XSD``), with a fallback that finds the
conformance checkout beside the repository during development. A referral that breaks
the schema is still a referral a unit must see, so violations become warnings naming the
element, never a reason to drop the document. Without an XSD nothing is checked and the
pipeline says so once.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger(__name__)

ENV_VAR = "GRACE_NCMEC_XSD"
RELATIVE_PATH = Path("shared/conformance/formats/ncmec/cyber_tipline.xsd")
MAX_MESSAGES = 20

_lock = threading.Lock()


def find_xsd() -> Path | None:
    """The configured XSD: ``$GRACE_NCMEC_XSD``, else a ``shared/`` checkout found upwards.

    The walk starts at the working directory and at this source file, so both a checkout
    run from anywhere inside it and an editable install find ``<repo>/../shared/...``.
    """
    return _located(os.environ.get(ENV_VAR, "").strip(), os.getcwd())


@lru_cache(maxsize=8)
def _located(configured: str, cwd: str) -> Path | None:
    """Cached per setting and working directory: it is asked once per document."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return path.resolve()
        _warn_once(f"{ENV_VAR}={configured} is not a file; ESP XML is not schema-checked")
        return None
    for start in (Path(cwd), Path(__file__).resolve().parent):
        for directory in (start, *start.parents):
            candidate = directory / RELATIVE_PATH
            if candidate.is_file():
                return candidate.resolve()
    return None


def validate(root: etree._Element) -> list[str]:
    """Warnings like ``XSD: line 3: Element 'x': This element is not expected.``; [] if valid."""
    path = find_xsd()
    if path is None:
        return []
    schema = _schema(path)
    if schema is None:
        return []
    with _lock:  # a schema's error log is per object, so validations must not interleave
        valid = schema.validate(root)
        log_entries: Any = schema.error_log  # lxml-stubs do not declare it iterable
        errors = [] if valid else [(e.line, e.message) for e in log_entries]
    messages = [f"XSD: line {line}: {message}" for line, message in errors[:MAX_MESSAGES]]
    if len(errors) > MAX_MESSAGES:
        messages.append(f"XSD: {len(errors) - MAX_MESSAGES} more schema violations not listed")
    return messages


@lru_cache(maxsize=4)
def _schema(path: Path) -> etree.XMLSchema | None:
    """Compile once per path. The XSD is trusted config, but is still read with no network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        _warn_once(f"cannot load NCMEC XSD {path}: {exc}; ESP XML is not schema-checked")
        return None


@lru_cache(maxsize=16)
def _warn_once(message: str) -> None:
    log.warning(message)
