"""Read and write plain PDQ hash lists: one 64-hex hash per line, as ThreatExchange tools write.

Perceptual-hash sharing (ThreatExchange, the PDQ reference tests) uses bare lists rather
than VICS, so grace must take them as they come: blank lines and ``#`` comments are skipped,
and a trailing quality score (``hash,quality`` or ``hash quality``) is kept in
``extra["quality"]`` (an int when it is 0-100, else the text as given). Bad lines become
warnings with their line numbers; the good lines still load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from grace.banks.model import BankEntry, ParsedBank
from grace.banks.values import WarningLog

_PDQ = re.compile(r"[0-9a-fA-F]{64}")
_SPLIT = re.compile(r"\s*,\s*|\s+")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def looks_like_pdq_line(line: str) -> bool:
    """True when ``line`` starts with a 64-hex hash, optionally followed by one more field."""
    parts = _SPLIT.split(line.strip())
    return bool(_PDQ.fullmatch(parts[0])) and len(parts) <= 2


def read_pdq_list(text: str) -> ParsedBank:
    """Parse decoded text; a line that is not a PDQ hash is a warning, not an error."""
    log = WarningLog()
    entries: list[BankEntry] = []
    for n, raw in enumerate(_NEWLINE.split(text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = _SPLIT.split(line)
        if not _PDQ.fullmatch(parts[0]):
            log.add(f"line {n}: not a 64-hex PDQ hash; skipped")
            continue
        extra: dict[str, Any] = {}
        if len(parts) > 1:
            quality = parts[1]
            if quality.isascii() and quality.isdigit() and int(quality) <= 100:
                extra["quality"] = int(quality)
            else:
                log.add(f"line {n}: quality {quality!r:.20} is not 0-100; kept as text")
                extra["quality"] = quality
        if len(parts) > 2:
            log.add(f"line {n}: {len(parts) - 2} fields after the quality ignored")
        entries.append(BankEntry(pdq=parts[0].lower(), extra=extra))
    if not entries:
        log.add("no PDQ hashes found")
    return ParsedBank(entries=entries, format="pdq-list", warnings=log.finish())


def write_pdq_list(entries: Iterable[BankEntry]) -> bytes:
    """One ``hash`` or ``hash,quality`` line per entry that has a PDQ hash."""
    lines = []
    for entry in entries:
        if entry.pdq is None:
            continue
        quality = entry.extra.get("quality")
        lines.append(entry.pdq if quality is None else f"{entry.pdq},{quality}")
    return "".join(line + "\n" for line in lines).encode("ascii", "replace")
