"""Which ingestor reads a document: each one scores the head, the highest score wins.

Sniffing by content rather than extension, because bundles arrive with names like
``report`` or ``123456.txt`` and because a mislabelled file must not be parsed by the
wrong reader. A document no ingestor claims is not a referral document (the bundle
code treats it as media or as an unknown format).
"""

from __future__ import annotations

from grace.ingest.base import Ingestor
from grace.ingest.cybertip_xml import CybertipXmlIngestor
from grace.ingest.grace_json import GraceJsonIngestor
from grace.ingest.ncmec_le_json import NcmecLeJsonIngestor

INGESTORS: tuple[Ingestor, ...] = (
    CybertipXmlIngestor(),
    NcmecLeJsonIngestor(),
    GraceJsonIngestor(),
)


def choose(member_name: str, head: bytes) -> Ingestor | None:
    """The ingestor scoring ``head`` highest, or None when every score is 0."""
    best: Ingestor | None = None
    best_score = 0.0
    for ingestor in INGESTORS:
        score = ingestor.sniff(member_name, head)
        if score > best_score:
            best, best_score = ingestor, score
    return best


def by_name(name: str) -> Ingestor | None:
    """The ingestor whose ``name`` (the referral's ``source_format``) is ``name``."""
    return next((i for i in INGESTORS if i.name == name), None)
