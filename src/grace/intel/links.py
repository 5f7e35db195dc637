"""Links between referrals: what they share, and how much that means.

A link names its reason (the identifier kind and value, or the shared media) and a strength.
The policy encodes investigators' experience: the same ESP user id on the same ESP is the
same account (strong); an e-mail, phone, device or wallet nearly so; a screen name is
reusable across services (medium on one ESP, weak across ESPs); a public IP is shared by a
carrier's customers (weak); and anything shared by very many referrals - a viral meme, a
provider's boilerplate address, a carrier gateway - says nothing about a person, so it
links nothing at all ("hub suppression"). Reporter (ESP staff) identifiers never link.
An account held on the child's side (a recipient or victim) in either referral links the two
cases only weakly: two adults who wrote to one child are two people, and a strong link would
merge them into one subject (every suspect who wrote to an undercover persona would become
"one person").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from grace.store.intel_tables import IdentifierRow, ReferralLink
from grace.store.media_tables import Media
from grace.store.tables import ReferralFile


@dataclass(frozen=True)
class Policy:
    strength: str
    weight: float
    max_referrals: int  # shared by more referrals than this: a hub, not a link


POLICIES: dict[str, Policy] = {
    "esp_user_id": Policy("strong", 1.0, 500),
    "email": Policy("strong", 0.9, 50),
    "phone": Policy("strong", 0.9, 50),
    "device_id": Policy("strong", 0.9, 50),
    "crypto_wallet": Policy("strong", 0.9, 50),
    "payment": Policy("strong", 0.9, 50),
    "url": Policy("medium", 0.6, 20),
    "screen_name": Policy("medium", 0.6, 20),
    "ip": Policy("weak", 0.3, 10),
    "display_name": Policy("weak", 0.2, 10),
}
MEDIA = Policy("weak", 0.4, 5)  # a shared unknown picture: a lead, not the same person
# A URL found only where material was (an incident's web page, a file's location) says
# where, not who: many unrelated people use one forum thread. It may link weakly (a lead),
# and weak links never merge subjects.
LOCATION_URL = Policy("weak", 0.3, 20)
LOCATION_SOURCES = ("incidents[", "files[")
CROSS_ESP_SCREEN_NAME = Policy("weak", 0.3, 20)
LINKING_ROLES = (None, "reported", "recipient", "victim")
CHILD_SIDE_ROLES = ("recipient", "victim")
CHILD_SIDE = "the same child's account (not the same suspect)"
GLOBAL_FROM = 5000
IN_CHUNK = 1000


def relink(session: Session, referral_ids: Iterable[int]) -> int:
    """(Re)compute the links of the given referrals with every other referral."""
    ids = sorted(set(referral_ids))
    if not ids:
        return 0
    chunks = [ids[i : i + IN_CHUNK] for i in range(0, len(ids), IN_CHUNK)]
    for chunk in chunks:  # bounded IN lists: SQLite caps the number of bound parameters
        session.execute(
            delete(ReferralLink).where(
                or_(ReferralLink.referral_a.in_(chunk), ReferralLink.referral_b.in_(chunk))
            )
        )
    rows = _identifier_links(session, ids)
    for chunk in chunks:
        rows += _media_links(session, chunk)
    unique = {(r["referral_a"], r["referral_b"], r["kind"], r["value"]): r for r in rows}
    if unique:
        session.execute(insert(cast(Table, ReferralLink.__table__)), list(unique.values()))
    return len(unique)


def _identifier_links(session: Session, ids: list[int]) -> list[dict[str, object]]:
    if len(ids) >= GLOBAL_FROM:
        # Many referrals at once (a bulk load): one pass over the values shared by two or
        # more referrals beats a join per chunk, which rescans the table each time.
        mine = (
            select(IdentifierRow.kind, IdentifierRow.value)
            .where(IdentifierRow.kind.in_(list(POLICIES)))
            .group_by(IdentifierRow.kind, IdentifierRow.value)
            .having(func.count(IdentifierRow.referral_id.distinct()) >= 2)
            .subquery()
        )
    else:
        mine = (
            select(IdentifierRow.kind, IdentifierRow.value)
            .where(IdentifierRow.referral_id.in_(ids), IdentifierRow.kind.in_(list(POLICIES)))
            .distinct()
            .subquery()
        )
    shared = session.execute(
        select(
            IdentifierRow.kind,
            IdentifierRow.value,
            IdentifierRow.referral_id,
            IdentifierRow.attributes,
            IdentifierRow.role,
            IdentifierRow.source,
        ).join(mine, (mine.c.kind == IdentifierRow.kind) & (mine.c.value == IdentifierRow.value))
    ).all()
    groups: dict[tuple[str, str], dict[int, dict[str, object]]] = defaultdict(dict)
    identity_urls: set[tuple[str, int]] = set()  # (url, referral): found as an identity
    suspect_side: set[tuple[str, str, int]] = set()  # held as the reported person's own
    for kind, value, referral, attributes, role, source in shared:
        if role in LINKING_ROLES and _usable(kind, attributes):
            groups[(kind, value)].setdefault(referral, attributes)
            if role not in CHILD_SIDE_ROLES:
                suspect_side.add((kind, value, referral))
            if kind == "url" and not source.startswith(LOCATION_SOURCES):
                identity_urls.add((value, referral))
    wanted = set(ids)
    links: list[dict[str, object]] = []
    for (kind, value), members in groups.items():
        policy = POLICIES[kind]
        if not 2 <= len(members) <= policy.max_referrals:
            continue
        refs = sorted(members)
        for i, a in enumerate(refs):
            for b in refs[i + 1 :]:
                if a in wanted or b in wanted:
                    chosen, what = policy, None
                    if kind == "screen_name":
                        chosen = _screen_name_policy(members[a], members[b])
                    elif kind == "url" and not {(value, a), (value, b)} <= identity_urls:
                        chosen, what = LOCATION_URL, "the same place where material was found"
                    if not {(kind, value, a), (kind, value, b)} <= suspect_side:
                        chosen = Policy("weak", min(chosen.weight, 0.4), policy.max_referrals)
                        what = f"{CHILD_SIDE}: {kind.replace('_', ' ')}"
                    links.append(_link(a, b, kind, value, chosen, len(members), what))
    return links


def _usable(kind: str, attributes: dict[str, object]) -> bool:
    """IPs that are private, documentation, or flagged as proxies identify nobody."""
    if kind == "ip":
        return bool(attributes.get("is_global", True)) and not attributes.get("possible_proxy")
    if kind == "phone":
        return attributes.get("valid", True) is not False
    return True


def _screen_name_policy(a: dict[str, object], b: dict[str, object]) -> Policy:
    same_esp = a.get("esp") and a.get("esp") == b.get("esp")
    return POLICIES["screen_name"] if same_esp else CROSS_ESP_SCREEN_NAME


def _media_links(session: Session, ids: list[int]) -> list[dict[str, object]]:
    """Referrals that share an unbanked picture (or a near duplicate of one), if few do."""
    groups = (
        select(Media.group_id)
        .join(ReferralFile, ReferralFile.sha256 == Media.sha256)
        .where(
            ReferralFile.referral_id.in_(ids), Media.status.is_(None), Media.group_id.is_not(None)
        )
    )
    rows = session.execute(
        select(func.coalesce(Media.group_id, Media.id), ReferralFile.referral_id)
        .join(ReferralFile, ReferralFile.sha256 == Media.sha256)
        .where(Media.group_id.in_(groups.scalar_subquery()), Media.status.is_(None))
        .distinct()
    ).all()
    members: dict[int, set[int]] = defaultdict(set)
    for group, referral in rows:
        members[group].add(referral)
    wanted = set(ids)
    links: list[dict[str, object]] = []
    for group, refs in members.items():
        if not 2 <= len(refs) <= MEDIA.max_referrals:
            continue
        ordered = sorted(refs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a in wanted or b in wanted:
                    links.append(_link(a, b, "media", f"group {group}", MEDIA, len(refs)))
    return links


def _link(
    a: int,
    b: int,
    kind: str,
    value: str,
    policy: Policy,
    shared_by: int,
    what: str | None = None,
) -> dict[str, object]:
    what = what or "the same " + kind.replace("_", " ")
    return {
        "referral_a": a,
        "referral_b": b,
        "kind": kind,
        "value": value,
        "strength": policy.strength,
        "weight": policy.weight,
        "reason": f"{what} {value!r} (in {shared_by} referrals)",
    }


def links_of(session: Session, referral_id: int) -> list[dict[str, object]]:
    """Every link of one referral, strongest first, from its point of view."""
    rows = session.scalars(
        select(ReferralLink)
        .where(or_(ReferralLink.referral_a == referral_id, ReferralLink.referral_b == referral_id))
        .order_by(ReferralLink.weight.desc(), ReferralLink.id)
    )
    return [
        {
            "referral": link.referral_b if link.referral_a == referral_id else link.referral_a,
            "kind": link.kind,
            "value": link.value,
            "strength": link.strength,
            "weight": link.weight,
            "reason": link.reason,
        }
        for link in rows
    ]
