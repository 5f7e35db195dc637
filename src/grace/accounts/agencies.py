"""Roles and agency codes: which agency a user belongs to, and which one sees everything."""

from __future__ import annotations

from functools import lru_cache

from grace.intel.routing_table import load_routing_table

ROLES = ("admin", "supervisor", "analyst", "auditor")


class AccountError(ValueError):
    """An account operation cannot be done; the message says why (shown to the operator)."""


@lru_cache(maxsize=1)
def _agency_ids() -> tuple[str, tuple[str, ...]]:
    table = load_routing_table()
    return table.coordinator.id, tuple(a.id for a in table.agencies)


def coordinator_id() -> str:
    """The coordinating agency (Europol in the packaged table): its users see every referral."""
    return _agency_ids()[0]


def canonical_agency(code: str) -> str:
    """The routing table's spelling of ``code`` (case-insensitive), so that scoping compares
    exactly what routing wrote into ``referrals.agency``; unknown codes are refused."""
    coordinator, agencies = _agency_ids()
    for known in (coordinator, *agencies):
        if known.lower() == code.strip().lower():
            return known
    raise AccountError(f"unknown agency {code!r}: use an id from the routing table")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    return role
