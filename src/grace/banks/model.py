"""The format-neutral shape of one hash-set record, shared by every bank reader and writer.

Units receive hash sets as VICS JSON, CSV exports or plain PDQ lists. Matching and triage
should not care which: each reader produces ``BankEntry`` objects and each writer consumes
them. The model is deliberately lossless (``extra``, ``media_file_extra``,
``alternative_hashes``) so that re-exporting a set a partner sent never silently drops fields
grace does not understand.

The validators here are strict (hex is lower-cased and length-checked) so that a constructed
entry can always be trusted; readers pre-check values with ``grace.banks.values`` and turn a
bad value into a warning instead of a crash.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

HEX_LENGTHS: dict[str, int] = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
_HEX = re.compile(r"[0-9a-f]+")

BankFormat = Literal["vics-1.x", "vics-2.0", "csv", "pdq-list"]


class BankFormatError(ValueError):
    """A hash-set file cannot be read at all. The message is one line: file name and reason."""

    def __init__(self, reason: str, name: str | None = None) -> None:
        self.reason = " ".join(reason.split())
        self.name = name
        super().__init__(f"{name}: {self.reason}" if name else self.reason)


def normalise_hex(kind: str, value: str) -> str:
    """Lower-case and length-check one hex digest; raise ``ValueError`` naming the problem."""
    text = value.strip().lower()
    want = HEX_LENGTHS[kind]
    if not _HEX.fullmatch(text):
        raise ValueError(f"{kind} is not hexadecimal")
    if len(text) != want:
        raise ValueError(f"{kind} has {len(text)} hex digits, expected {want}")
    return text


def _hex_validator(kind: str) -> AfterValidator:
    return AfterValidator(lambda v: normalise_hex(kind, v))


Md5 = Annotated[str, _hex_validator("md5")]
Sha1 = Annotated[str, _hex_validator("sha1")]
Sha256 = Annotated[str, _hex_validator("sha256")]
Pdq = Annotated[str, _hex_validator("pdq")]


class Category(BaseModel):
    """A category code under a named scheme; ``label`` is None when the scheme lacks the code.

    Codes are kept as strings so US digits and UK letters share one type, and an unknown
    code (NIST's 8, say) is carried through rather than guessed at.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    scheme: str
    code: str
    label: str | None = None


class BankEntry(BaseModel):
    """One hash-set record. ``media_id`` is not unique (NIST writes 0 on every record)."""

    model_config = ConfigDict(extra="forbid")

    media_id: str | None = None
    category: Category | None = None
    md5: Md5 | None = None
    sha1: Sha1 | None = None
    sha256: Sha256 | None = None
    pdq: Pdq | None = None
    photodna: str | None = None
    size: int | None = Field(default=None, ge=0)
    is_distributed: bool | None = None
    series: str | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    tags: list[str] = Field(default_factory=list)
    file_names: list[str] = Field(default_factory=list)
    # Per-file keys other than the name/path (VICS MediaFiles), index-aligned with file_names;
    # empty when no file carried anything else.
    media_file_extra: list[dict[str, Any]] = Field(default_factory=list)
    alternative_hashes: dict[str, str] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict)

    def hashes(self) -> dict[str, str]:
        """The usable digests of this entry by kind (md5, sha1, sha256, pdq, photodna)."""
        found = {
            "md5": self.md5,
            "sha1": self.sha1,
            "sha256": self.sha256,
            "pdq": self.pdq,
            "photodna": self.photodna,
        }
        return {kind: value for kind, value in found.items() if value is not None}


class ParsedBank(BaseModel):
    """A whole hash-set file as read: entries plus what the reader noticed along the way."""

    entries: list[BankEntry]
    format: BankFormat
    version: str | None = None
    warnings: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
