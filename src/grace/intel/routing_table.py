"""The routing table: which agency receives referrals for which country.

It is configuration, not code, because every deployment differs (a national node routes to
its regional units, a Europol-style hub to member states). The table is YAML, loaded with
``yaml.safe_load`` only, and validated strictly: a typo in it would silently misroute
referrals about children, so every problem stops loading with one line naming the file.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_TABLE = "GRACE_ROUTING_TABLE"
DEFAULT_TABLE = "routing_default.yaml"

# Codes that stand for no single country (NCMEC uses MaxMind's legacy pseudo-codes): a table
# cannot route them to an agency; they go to the coordinator as unresolved.
PSEUDO_CODES: dict[str, str] = {
    "A1": "anonymous proxy",
    "A2": "satellite provider",
    "O1": "other country",
    "AP": "Asia/Pacific region",
    "EU": "Europe region",
}


class RoutingTableError(ValueError):
    """The routing table cannot be used; the message is one line naming file and problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Coordinator(_Model):
    """Receives what cannot be routed to one country (unresolved, multi-country, no agency)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    contact: str = ""
    export_format: str = "grace_json"


class Agency(Coordinator):
    """A receiving agency and the countries (ISO 3166 alpha-2) it is competent for."""

    countries: list[str] = Field(min_length=1)

    @field_validator("countries", mode="before")
    @classmethod
    def _no_yaml_booleans(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare NO (Norway) as false; say so instead of "not a string".
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise ValueError('a country code was read as a boolean: quote it (e.g. "NO")')
        return value

    @model_validator(mode="after")
    def _check_countries(self) -> Agency:
        for code in self.countries:
            if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.isupper():
                raise ValueError(f"agency {self.id}: {code!r} is not an upper-case alpha-2 code")
            if code in PSEUDO_CODES:
                raise ValueError(
                    f"agency {self.id}: {code} is a pseudo-code ({PSEUDO_CODES[code]}); "
                    "unresolved referrals go to the coordinator"
                )
        return self


class RoutingSettings(_Model):
    """When a country is clear enough to route to (see ``routing.decide``)."""

    threshold: float = Field(0.6, gt=0, le=1, description="minimum share of the top country")
    margin: float = Field(
        0.25, ge=0, le=1, description="minimum share gap between the top two countries"
    )


class RoutingTable(_Model):
    """The whole table; ``agency_for`` answers in constant time."""

    version: int = 1
    settings: RoutingSettings = Field(default_factory=RoutingSettings)
    coordinator: Coordinator
    agencies: list[Agency] = Field(default_factory=list)
    _by_country: dict[str, Agency] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> RoutingTable:
        ids = {self.coordinator.id}
        by_country: dict[str, Agency] = {}
        for agency in self.agencies:
            if agency.id in ids:
                raise ValueError(f"agency id {agency.id!r} is used twice")
            ids.add(agency.id)
            for code in agency.countries:
                other = by_country.get(code)
                if other is not None:
                    raise ValueError(
                        f"country {code} is claimed by both {other.id} and {agency.id}"
                    )
                by_country[code] = agency
        self._by_country = by_country
        return self

    def agency_for(self, country: str) -> Agency | None:
        """The agency competent for ``country``, or ``None`` when the table has none."""
        return self._by_country.get(country.upper())


def load_routing_table(path: str | Path | None = None) -> RoutingTable:
    """Load ``path``, else ``$GRACE_ROUTING_TABLE``, else the packaged sample table."""
    if path is None:
        path = os.environ.get(ENV_TABLE) or None
    if path is None:
        ref = resources.files("grace.intel").joinpath(DEFAULT_TABLE)
        return parse_routing_table(ref.read_text(encoding="utf-8"), f"<package>/{DEFAULT_TABLE}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoutingTableError(f"routing table {path}: cannot read ({exc})") from exc
    return parse_routing_table(text, str(path))


def parse_routing_table(text: str, name: str = "<string>") -> RoutingTable:
    """Validate a YAML routing table; ``name`` is only used in error messages."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise RoutingTableError(f"routing table {name}: invalid YAML{at}: {problem}") from None
    if not isinstance(data, dict):
        raise RoutingTableError(f"routing table {name}: expected a mapping at the top level")
    try:
        return RoutingTable.model_validate(data)
    except ValidationError as exc:
        raise RoutingTableError(f"routing table {name}: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    msg = str(first["msg"]).removeprefix("Value error, ")
    text = f"{loc}: {msg}" if loc else msg
    more = len(errors) - 1
    return f"{text} (and {more} more)" if more else text
