"""Subjects: clusters of referrals believed to concern the same person or account.

Identity is resolved from recorded judgements (after nomenklatura): the linker proposes a
``merge`` for every strong or medium link; an analyst may record ``separate`` for a pair,
which cuts that edge. Subjects are recomputed from the judgements whenever they change, so
any cluster can be explained (the merges that formed it) and undone (a separate judgement).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from grace.store.intel_tables import ReferralLink, SubjectJudgement
from grace.store.tables import Referral

MERGING = ("strong", "medium")


def propose_merges(session: Session, actor: str) -> int:
    """Record a merge judgement for each strong or medium link that has none yet."""
    judged = {
        (a, b)
        for a, b in session.execute(
            select(SubjectJudgement.referral_a, SubjectJudgement.referral_b)
        )
    }
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    strongest_first = (
        select(ReferralLink)
        .where(ReferralLink.strength.in_(MERGING))
        .order_by(ReferralLink.weight.desc(), ReferralLink.id)
    )
    for link in session.scalars(strongest_first):  # a pair's judgement names its best reason
        pair = (link.referral_a, link.referral_b)
        if pair in judged:
            continue
        judged.add(pair)
        rows.append(
            {
                "referral_a": pair[0],
                "referral_b": pair[1],
                "verdict": "merge",
                "reason": f"{link.strength} link: {link.reason}",
                "actor": actor,
                "at": now,
                "active": True,
            }
        )
    if rows:
        session.execute(insert(SubjectJudgement), rows)
    return len(rows)


def judge(session: Session, a: int, b: int, verdict: str, reason: str, actor: str) -> None:
    """An analyst's judgement on a pair; it replaces earlier judgements of the same pair."""
    first, second = sorted((a, b))
    session.execute(
        update(SubjectJudgement)
        .where(SubjectJudgement.referral_a == first, SubjectJudgement.referral_b == second)
        .values(active=False)
    )
    session.add(
        SubjectJudgement(
            referral_a=first,
            referral_b=second,
            verdict=verdict,
            reason=reason,
            actor=actor,
            at=datetime.now(UTC),
            active=True,
        )
    )
    session.flush()


def recompute_subjects(session: Session) -> int:
    """Union the active merges (minus separated pairs); a subject's id is its first referral."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    active = session.execute(
        select(
            SubjectJudgement.referral_a, SubjectJudgement.referral_b, SubjectJudgement.verdict
        ).where(SubjectJudgement.active)
    ).all()
    separated = {(a, b) for a, b, verdict in active if verdict == "separate"}
    for a, b, verdict in active:
        if verdict == "merge" and (a, b) not in separated:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for node in list(parent):
        members[find(node)].append(node)
    session.execute(
        update(Referral).where(Referral.subject_id.is_not(None)).values(subject_id=None)
    )
    assignments = [
        {"rid": node, "sid": root} for root, nodes in members.items() for node in {root, *nodes}
    ]
    if assignments:
        table = cast(Table, Referral.__table__)
        session.execute(
            update(table).where(table.c.id == bindparam("rid")).values(subject_id=bindparam("sid")),
            assignments,
        )
    return len(members)


def subjects(session: Session) -> list[dict[str, Any]]:
    """Every subject with more than one referral, largest first, with why it was formed."""
    rows = session.execute(
        select(Referral.subject_id, Referral.id)
        .where(Referral.subject_id.is_not(None))
        .order_by(Referral.id)
    ).all()
    members: dict[int, list[int]] = defaultdict(list)
    for subject, referral in rows:
        if subject is not None:
            members[subject].append(referral)
    reasons: dict[int, list[str]] = defaultdict(list)
    lookup = {r: s for s, refs in members.items() for r in refs}
    for a, _b, reason in session.execute(
        select(
            SubjectJudgement.referral_a, SubjectJudgement.referral_b, SubjectJudgement.reason
        ).where(SubjectJudgement.active, SubjectJudgement.verdict == "merge")
    ):
        if a in lookup:
            reasons[lookup[a]].append(reason)
    result = [
        {
            "subject": s,
            "referrals": refs,
            "size": len(refs),
            "reasons": sorted(set(reasons[s]))[:10],
        }
        for s, refs in members.items()
        if len(refs) > 1
    ]
    return sorted(result, key=lambda s: (-int(s["size"]), int(s["subject"])))
