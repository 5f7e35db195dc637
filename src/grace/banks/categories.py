"""Category schemes: which codes a hash set's ``Category`` may carry, and neutral labels.

Hash sets carry a bare code; what it means depends on who graded it (Project VIC US 0-4,
UK CAID A/B/C, or something a unit defines). Storing (scheme, code) and resolving labels
here keeps that interpretation configurable instead of hard-wired in readers. An unknown
code is never guessed at: it is kept with no label and reported (NIST's non-RDS sets carry
an unexplained 8, which must stay just "8").

Labels are short and neutral on purpose: they name the grading tier, nothing more.
Operators may add or override schemes from a JSON file (``load_schemes``) shaped like
``DEFAULT_SCHEMES``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grace.banks.model import Category

DEFAULT_SCHEME = "projectvic-us"

DEFAULT_SCHEMES: dict[str, dict[str, Any]] = {
    "projectvic-us": {
        "title": "Project VIC (US) categories 0-4",
        "vics_profile": "US",
        "codes": {
            "0": "category 0: non-pertinent (Project VIC)",
            "1": "category 1: illegal (Project VIC)",
            "2": "category 2: child exploitative, not illegal / age difficult (Project VIC)",
            "3": "category 3: CGI / animation (Project VIC)",
            "4": "category 4: comparison images (Project VIC)",
        },
        # Codes triage should raise: 1, and usually 2 (as IPED does); a unit may narrow this.
        "alert": ["1", "2"],
    },
    "caid-uk": {
        "title": "UK CAID grading A/B/C (sentencing guideline categories)",
        "vics_profile": "UK",
        "codes": {
            "A": "category A: most serious (UK CAID)",
            "B": "category B: serious (UK CAID)",
            "C": "category C: other indecent (UK CAID)",
        },
        "alert": ["A", "B", "C"],
    },
}


class CategorySchemeError(ValueError):
    """An operator-supplied scheme file is malformed; the message names the problem."""


@dataclass(frozen=True)
class CategoryScheme:
    """One scheme: code -> neutral label, the codes that should alert, its VICS profile."""

    name: str
    title: str
    labels: Mapping[str, str]
    alert: frozenset[str]
    vics_profile: str | None = None

    def lookup(self, code: str) -> str | None:
        """The code as the scheme spells it (``a`` -> ``A``), or None when unknown."""
        if code in self.labels:
            return code
        return code.upper() if code.upper() in self.labels else None


def _scheme(name: str, spec: object) -> CategoryScheme:
    if not isinstance(spec, Mapping):
        raise CategorySchemeError(f"scheme {name!r} must be an object")
    codes = spec.get("codes")
    if not isinstance(codes, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in codes.items()
    ):
        raise CategorySchemeError(f"scheme {name!r}: 'codes' must map code strings to labels")
    alert = spec.get("alert", [])
    if not isinstance(alert, list) or not all(isinstance(a, str) and a in codes for a in alert):
        raise CategorySchemeError(f"scheme {name!r}: 'alert' must list codes of the scheme")
    title = spec.get("title", name)
    profile = spec.get("vics_profile")
    if not isinstance(title, str) or not (profile is None or isinstance(profile, str)):
        raise CategorySchemeError(f"scheme {name!r}: 'title'/'vics_profile' must be strings")
    return CategoryScheme(name, title, dict(codes), frozenset(alert), profile)


def schemes_from_dict(data: Mapping[str, Any]) -> dict[str, CategoryScheme]:
    """Validate a ``{name: {title, codes, alert, vics_profile}}`` mapping into schemes."""
    return {str(name): _scheme(str(name), spec) for name, spec in data.items()}


class SchemeRegistry:
    """The schemes in force for an import: lookups by name and by VICS profile."""

    def __init__(self, schemes: Mapping[str, CategoryScheme]) -> None:
        self.schemes = dict(schemes)

    def get(self, name: str) -> CategoryScheme | None:
        return self.schemes.get(name)

    def scheme_for_profile(self, profile: str | None) -> str | None:
        """The scheme a VICS 2.0 profile (US, UK, ...) implies, if one claims it."""
        for scheme in self.schemes.values():
            if profile and scheme.vics_profile and scheme.vics_profile.lower() == profile.lower():
                return scheme.name
        return None

    def profile_for_scheme(self, name: str) -> str | None:
        scheme = self.schemes.get(name)
        return scheme.vics_profile if scheme else None

    def resolve(self, scheme: str, code: str) -> tuple[Category, str | None]:
        """The Category for (scheme, code) and a warning when it cannot be labelled."""
        found = self.schemes.get(scheme)
        if found is None:
            return Category(scheme=scheme, code=code), f"unknown category scheme {scheme!r}"
        spelled = found.lookup(code)
        if spelled is None:
            return Category(scheme=scheme, code=code), (
                f"category code {code!r} is not in scheme {scheme!r}; kept without a label"
            )
        return Category(scheme=scheme, code=spelled, label=found.labels[spelled]), None


def load_schemes(path: Path | None = None) -> SchemeRegistry:
    """The default schemes, plus (overriding by name) those in the operator's JSON file.

    The file is either ``{name: spec}`` or ``{"schemes": {name: spec}}``.
    """
    schemes = schemes_from_dict(DEFAULT_SCHEMES)
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CategorySchemeError(f"{path}: cannot read scheme file: {exc}") from exc
        if isinstance(data, Mapping) and isinstance(data.get("schemes"), Mapping):
            data = data["schemes"]
        if not isinstance(data, Mapping):
            raise CategorySchemeError(f"{path}: top level must be an object")
        schemes.update(schemes_from_dict(data))
    return SchemeRegistry(schemes)


DEFAULT_REGISTRY = load_schemes(None)


def resolve(
    scheme: str, code: str, registry: SchemeRegistry | None = None
) -> tuple[Category, str | None]:
    """Resolve against ``registry`` (the built-in schemes by default)."""
    return (registry or DEFAULT_REGISTRY).resolve(scheme, code)


class CategoryResolver:
    """Per-import resolution that reports each unknown code once, with its count."""

    def __init__(self, registry: SchemeRegistry | None = None) -> None:
        self.registry = registry or DEFAULT_REGISTRY
        self._problems: Counter[str] = Counter()
        self._cache: dict[tuple[str, str], tuple[Category, str | None]] = {}

    def category(self, scheme: str, code: str) -> Category:
        found = self._cache.get((scheme, code))
        if found is None:
            found = self._cache[(scheme, code)] = self.registry.resolve(scheme, code)
        category, problem = found
        if problem:
            self._problems[problem] += 1
        return category

    def warnings(self) -> list[str]:
        return [f"{problem} ({n} records)" for problem, n in self._problems.items()]
