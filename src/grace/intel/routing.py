"""Country of action and routing: which agency should act on a referral, and why.

NCMEC routes on the upload IP; a receiving node has more to go on (login IPs, phone numbers,
the provider's own location estimate) and must also cope with proxies, NCMEC's pseudo-codes
and referrals that point at several countries. Every signal becomes a weighted, explained
``CountryEvidence``; ``decide`` sums them per country and only routes to a national agency
when one country clearly dominates. Everything doubtful goes to the coordinator with a
reason, because a referral sent to the wrong country is a child nobody looks for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from grace.intel.geo import ENV_MMDB, IpGeolocator
from grace.intel.routing_evidence import CountryResolver, default_geolocator, normalise_code
from grace.intel.routing_table import (
    ENV_TABLE,
    PSEUDO_CODES,
    Agency,
    Coordinator,
    RoutingTable,
    RoutingTableError,
    load_routing_table,
)
from grace.model.intel import CountryEvidence, Identifier, RoutingDecision
from grace.model.referral import Referral

__all__ = [
    "PSEUDO_CODES",
    "Agency",
    "Coordinator",
    "CountryResolver",
    "RoutingTable",
    "RoutingTableError",
    "decide",
    "load_routing_table",
    "normalise_code",
    "route",
]

_PSEUDO_IN_DETAIL = re.compile(r"\[([A-Z0-9]{2})\]")


def decide(
    evidence: Sequence[CountryEvidence],
    table: RoutingTable,
    *,
    threshold: float | None = None,
    margin: float | None = None,
) -> RoutingDecision:
    """Sum evidence per country and route to one agency only when one country dominates.

    The top country needs ``threshold`` of the total weight and must lead the runner-up by
    ``margin`` (both from the table's settings unless given); otherwise the referral is
    multi-country and goes to the coordinator, as do referrals with no usable evidence and
    countries no agency claims.
    """
    threshold = table.settings.threshold if threshold is None else threshold
    margin = table.settings.margin if margin is None else margin
    coordinator = table.coordinator.id
    totals: dict[str, float] = {}
    for ev in evidence:
        if ev.country is not None and ev.weight > 0:
            totals[ev.country] = totals.get(ev.country, 0.0) + ev.weight
    evidence = list(evidence)
    if not totals:
        pseudo = sorted(
            {m.group(1) for ev in evidence if (m := _PSEUDO_IN_DETAIL.search(ev.detail))}
        )
        seen = ", ".join(f"{c} ({PSEUDO_CODES.get(c, '?')})" for c in pseudo)
        reason = "no usable location evidence" + (f"; pseudo-codes seen: {seen}" if seen else "")
        return RoutingDecision(
            country=None,
            confidence=0.0,
            agency=coordinator,
            unresolved=True,
            reason=reason,
            evidence=evidence,
        )
    total = sum(totals.values())
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    top, top_weight = ranked[0]
    share = top_weight / total
    second = ranked[1][1] / total if len(ranked) > 1 else 0.0
    if share < threshold or share - second < margin:
        shares = ", ".join(f"{c} {w / total:.0%}" for c, w in ranked)
        why = (
            f"top share {share:.0%} below threshold {threshold:.0%}"
            if share < threshold
            else f"{top} and {ranked[1][0]} within margin {margin:.0%}"
        )
        return RoutingDecision(
            country=None,
            confidence=round(share, 4),
            agency=coordinator,
            unresolved=True,
            reason=f"multi-country: {shares} ({why})",
            evidence=evidence,
        )
    sources: dict[str, float] = {}
    for ev in evidence:
        if ev.country == top:
            sources[ev.source] = sources.get(ev.source, 0.0) + ev.weight
    basis = ", ".join(f"{s} {w:g}" for s, w in sorted(sources.items()))
    agency = table.agency_for(top)
    if agency is None:
        reason = f"no agency for {top} ({share:.0%}: {basis}); sent to coordinator {coordinator}"
        target = coordinator
    else:
        reason = f"{top} {share:.0%} of location evidence ({basis}) -> {agency.id}"
        target = agency.id
    return RoutingDecision(
        country=top,
        confidence=round(share, 4),
        agency=target,
        unresolved=False,
        reason=reason,
        evidence=evidence,
    )


def route(
    referral: Referral,
    identifiers: Iterable[Identifier] = (),
    table: RoutingTable | None = None,
    geolocator: IpGeolocator | None = None,
) -> RoutingDecision:
    """Evidence and decision in one call; defaults are loaded once and reused."""
    if table is None:
        table = _default_table(os.environ.get(ENV_TABLE) or None)
    if geolocator is None:
        geolocator = default_geolocator(os.environ.get(ENV_MMDB) or None)
    return decide(CountryResolver(geolocator).evidence(referral, identifiers), table)


@lru_cache(maxsize=4)
def _default_table(path: str | None) -> RoutingTable:
    """Parsing YAML per referral would dominate routing time; the table is read once."""
    return load_routing_table(path)
