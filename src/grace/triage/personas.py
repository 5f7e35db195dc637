"""Recipient accounts that many unrelated suspects write to: the pattern of a persona.

Undercover officers and providers' safety teams run accounts that pose as children; every
adult who writes to one is reported, so the same few "child" accounts recur as the
recipient in referrals about many different suspects. A real child written to by one adult
in several reports is one case; one recipient written to by many unrelated adults is far
more often a persona, and treating it as a child in danger sends a unit after its own
colleagues' operation. Deconfliction must catch that before anyone acts, so triage reads
it as a decoy and explains it; the suspect is still a suspect.

Suspects are told apart by the reported person's own account identifiers, not by grace's
subject clusters: a shared recipient links the referrals, and clusters built on links would
count every adult who wrote to one persona as one person.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.intel_tables import IdentifierRow

ACCOUNTS = ("esp_user_id", "screen_name", "email", "phone")  # not an IP: many share one
CHUNK = 500

Key = tuple[str, str]


def recipient_suspects(session: Session) -> dict[int, int]:
    """Per referral naming a recipient account, the most *other* suspects reported for
    writing to one of its recipient accounts (0 when only its own suspect did)."""
    named = _recipient_accounts(session)
    if not named:
        return {}
    by_account: dict[Key, set[int]] = defaultdict(set)
    for referral, keys in named.items():
        for key in keys:
            by_account[key].add(referral)
    shared = {k: refs for k, refs in by_account.items() if len(refs) > 1}
    reported = _reported_accounts(session, sorted(set().union(*shared.values())) if shared else [])
    others: dict[int, int] = dict.fromkeys(named, 0)
    for referrals in shared.values():
        suspect = _suspects(referrals, reported)
        count = len(set(suspect.values()))
        for referral in referrals:
            others[referral] = max(others[referral], count - 1)
    return others


def _recipient_accounts(session: Session) -> dict[int, set[Key]]:
    rows = session.execute(
        select(IdentifierRow.referral_id, IdentifierRow.kind, IdentifierRow.value).where(
            IdentifierRow.role == "recipient", IdentifierRow.kind.in_(ACCOUNTS)
        )
    )
    named: dict[int, set[Key]] = defaultdict(set)
    for referral, kind, value in rows:
        named[referral].add((kind, value))
    return named


def _reported_accounts(session: Session, referrals: list[int]) -> dict[int, set[Key]]:
    found: dict[int, set[Key]] = defaultdict(set)
    for start in range(0, len(referrals), CHUNK):
        rows = session.execute(
            select(IdentifierRow.referral_id, IdentifierRow.kind, IdentifierRow.value).where(
                IdentifierRow.referral_id.in_(referrals[start : start + CHUNK]),
                IdentifierRow.role == "reported",
                IdentifierRow.kind.in_(ACCOUNTS),
            )
        )
        for referral, kind, value in rows:
            found[referral].add((kind, value))
    return found


def _suspects(referrals: set[int], reported: dict[int, set[Key]]) -> dict[int, int]:
    """Each referral's suspect: referrals sharing a reported account are one suspect (a
    small union-find over one recipient's referrals); a referral naming no reported account
    is its own."""
    parent = {r: r for r in referrals}

    def root(r: int) -> int:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    first_with: dict[Key, int] = {}
    for referral in sorted(referrals):
        for key in reported.get(referral, ()):
            if key in first_with:
                parent[root(referral)] = root(first_with[key])
            else:
                first_with[key] = referral
    return {r: root(r) for r in referrals}
