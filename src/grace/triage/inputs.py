"""Gather each referral's ``TriageInput`` from the database, in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from grace.model import Referral as ReferralModel
from grace.model.intel import Identifier, RoutingDecision
from grace.signals.factors import referral_signal_factors
from grace.store.intel_tables import IdentifierRow, ReferralLink
from grace.store.tables import Referral
from grace.triage.base import TriageInput
from grace.triage.personas import recipient_suspects

CHUNK = 2000
LINKING = ("strong", "medium")


def triage_inputs(
    session: Session,
    now: datetime,
    ids: Sequence[int] | None = None,
    signals_as_of: datetime | None = None,
) -> Iterator[TriageInput]:
    """Every referral (or those in ``ids``) as a scorer sees it, in id order.

    ``signals_as_of`` ignores model signals computed later (used to reproduce a past run).
    """
    if ids is None:
        ids = list(session.scalars(select(Referral.id).order_by(Referral.id)))
    priors = _prior_counts(session)
    recipients = recipient_suspects(session)
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        links = _link_counts(session, chunk)
        identifiers = _identifiers(session, chunk)
        signals = referral_signal_factors(session, chunk, signals_as_of)
        rows = session.execute(
            select(
                Referral.id,
                Referral.data,
                Referral.media_counts,
                Referral.routing,
                Referral.agency,
                Referral.received_at,
            )
            .where(Referral.id.in_(chunk))
            .order_by(Referral.id)
        )
        for referral_id, data, counts, routing, agency, received in rows:
            yield TriageInput(
                referral=_with_receipt(ReferralModel.model_validate(data), received),
                now=now,
                media_counts=dict(counts or {}),
                identifiers=tuple(identifiers.get(referral_id, ())),
                linked_referrals=links.get(referral_id, 0),
                prior_referrals=priors.get(referral_id, 0),
                recipient_suspects=recipients.get(referral_id, 0),
                routing=RoutingDecision.model_validate(routing) if routing else None,
                agency=agency,
                referral_id=referral_id,
                signal_factors=tuple(signals.get(referral_id, ())),
            )


def _with_receipt(model: ReferralModel, received: datetime) -> ReferralModel:
    """The referral with its receipt time: a provider's own report (CyberTipline XML) says
    when the incident happened but not when it reached us, and "how old was the incident
    when it was reported" needs both; the time grace stored it is that receipt."""
    if model.received_at is not None:
        return model
    at = received if received.tzinfo else received.replace(tzinfo=UTC)
    return model.model_copy(update={"received_at": at.isoformat().replace("+00:00", "Z")})


def _prior_counts(session: Session) -> dict[int, int]:
    """Referrals of the same subject that arrived earlier (recidivism)."""
    rows = session.execute(
        select(Referral.subject_id, Referral.id)
        .where(Referral.subject_id.is_not(None))
        .order_by(Referral.id)
    )
    seen: dict[int, int] = defaultdict(int)
    priors: dict[int, int] = {}
    for subject, referral in rows:
        if subject is None:
            continue
        priors[referral] = seen[subject]
        seen[subject] += 1
    return priors


def _link_counts(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(ReferralLink.referral_a, ReferralLink.referral_b).where(
            ReferralLink.strength.in_(LINKING),
            or_(ReferralLink.referral_a.in_(ids), ReferralLink.referral_b.in_(ids)),
        )
    )
    linked: dict[int, set[int]] = defaultdict(set)
    for a, b in rows:
        linked[a].add(b)
        linked[b].add(a)
    return {r: len(others) for r, others in linked.items()}


def _identifiers(session: Session, ids: list[int]) -> dict[int, list[Identifier]]:
    found: dict[int, list[Identifier]] = defaultdict(list)
    rows = session.execute(
        select(
            IdentifierRow.referral_id,
            IdentifierRow.kind,
            IdentifierRow.value,
            IdentifierRow.raw,
            IdentifierRow.source,
            IdentifierRow.role,
            IdentifierRow.attributes,
        ).where(IdentifierRow.referral_id.in_(ids))
    )
    for referral_id, kind, value, raw, source, role, attributes in rows:
        found[referral_id].append(
            Identifier(
                kind=kind, value=value, raw=raw, source=source, role=role, attributes=attributes
            )
        )
    return found


def count_decisions(session: Session) -> int:
    from grace.store.intel_tables import Decision

    return session.scalar(select(func.count()).select_from(Decision)) or 0
