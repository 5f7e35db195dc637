"""The narrow contract between format ingestors and the ingest pipeline.

An ingestor turns the bytes of one document into model objects and nothing else: it never
touches the database or the vault (the pipeline does), which keeps each format module
small and testable on bytes alone. Identity is a class constant, as in
python-threatexchange's signal types; the pipeline picks the ingestor whose ``sniff``
scores a document highest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from pydantic import BaseModel, Field

from grace.model import FileRef, Referral


class IngestError(Exception):
    """A document cannot be read at all. The message is one line naming the reason."""


class FileDetails(BaseModel):
    """A CyberTipline ``fileDetails`` document: one file described apart from its report."""

    report_id: str | None = None
    file: FileRef
    warnings: list[str] = Field(default_factory=list)
    raw: dict[str, object] = Field(default_factory=dict)


Parsed = Referral | FileDetails


class Ingestor(ABC):
    """One referral format. Subclasses set ``name`` and implement ``sniff`` and ``parse``."""

    name: ClassVar[str]

    @abstractmethod
    def sniff(self, member_name: str, head: bytes) -> float:
        """Return 0.0 (not mine) to 1.0 (certainly mine) from the name and first 4 KiB."""

    @abstractmethod
    def parse(self, data: bytes, member_name: str) -> Parsed:
        """Map a whole document into the model; raise ``IngestError`` if it is unreadable.

        Problems that leave the document readable (schema violations, odd values) go into
        the result's ``warnings`` instead: a referral is never dropped for what can be read.
        """
