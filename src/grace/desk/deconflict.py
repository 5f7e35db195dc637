"""The desk's deconfliction alerts: notices about this agency's referrals, scoped.

A notice (``deconflict_notices``) says that one of this node's referrals shares a *kind*
of strong identifier with a referral of another agency, and under which reference that
agency knows it; it never holds the identifier, so neither does anything shown here. An
analyst sees the notices of their agency's referrals (``referral_scope``), as on the API
(``GET /api/v1/deconflict/notices``) and ``grace deconflict alerts``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from grace.store.deconflict_tables import DeconflictNotice
from grace.store.tables import Referral

MAX_ROWS = 1000


def scoped_notices(
    session: Session,
    scope: ColumnElement[bool],
    referral_id: int | None = None,
    limit: int = MAX_ROWS,
) -> list[dict[str, Any]]:
    """Notices on referrals in ``scope`` (one referral's with ``referral_id``), newest first."""
    query = (
        select(DeconflictNotice, Referral.external_id, Referral.agency)
        .join(Referral, Referral.id == DeconflictNotice.referral_id)
        .where(scope)
        .order_by(DeconflictNotice.received_at.desc(), DeconflictNotice.id.desc())
        .limit(limit)
    )
    if referral_id is not None:
        query = query.where(DeconflictNotice.referral_id == referral_id)
    return [
        {"id": n.id, "referral_id": n.referral_id, "external_id": external, "agency": agency,
         "kind": n.kind, "other_node": n.other_node, "other_ref": n.other_ref,
         "received_at": n.received_at}
        for n, external, agency in session.execute(query)
    ]  # fmt: skip
