"""Confirm/dispute votes on shared bank entries, sent back to the bank's publisher.

A subscriber votes on ``<bank>@<publisher>``; the vote travels as a signed ``votes``
package to the publisher's inbox, which keeps one vote per entry and voter (a later vote
replaces an earlier one) for a bank it published, and shows the counts per entry. Disputes
past the bank's threshold hold the entry from alerting (``grace.banks.holds``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.banks.review import check_disputes, entry_key_of, keep_vote, resolve_entry
from grace.exchange import package
from grace.exchange.node import ExchangeError, load_node
from grace.exchange.send import Delivery, deliver, peer_named, record_delivery
from grace.store.exchange_tables import ExchangeBankVersion, ExchangeBankVote
from grace.store.locks import hold_write_lock
from grace.store.media_tables import BankEntryHold, HashBank
from grace.workspace import Workspace

if TYPE_CHECKING:
    from grace.exchange.receive import Checked

VOTES = ("confirm", "dispute")


def send_vote(
    workspace: Workspace, bank: str, entry: str, vote: str, reason: str | None, actor: str
) -> Delivery:
    """Send one vote on ``entry`` (``kind:hex``) of the subscribed bank ``name@publisher``."""
    if vote not in VOTES:
        raise ExchangeError("a vote is confirm or dispute")
    name, _, publisher = bank.rpartition("@")
    if not name or not publisher:
        raise ExchangeError("name the subscribed bank as <bank>@<publisher>")
    peer = peer_named(workspace, publisher)
    body = [
        {
            "bank": name,
            "entry_key": entry,
            "vote": vote,
            "reason": reason,
            "at": datetime.now(UTC).isoformat(),
        }
    ]
    members = {"votes.json": json.dumps(body).encode()}
    data = package.build(
        load_node(workspace),
        "votes",
        {"node": peer.name, "agency": peer.agency},
        members,
        {"bank": name},
    )
    with httpx.Client(timeout=60.0) as client:
        result = deliver(client, load_node(workspace), peer, data, None, None)
    record_delivery(workspace, actor, result, "votes")
    return result


def apply_votes(workspace: Workspace, checked: Checked, actor: str) -> int:
    """Keep each vote on a bank this node published; returns how many were kept.

    An entry disputed past its bank's threshold is then held from alerting (audited)."""
    entries = package.Package(checked.manifest, checked.members).member_json("votes.json")
    if not isinstance(entries, list):
        raise package.PackageError("malformed document: votes.json is not a list")
    kept = 0
    touched: dict[str, list[str]] = defaultdict(list)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("vote") not in VOTES:
                raise package.PackageError("malformed document: a vote is not recognised")
            ours = session.scalar(
                select(ExchangeBankVersion.id).where(
                    ExchangeBankVersion.bank == entry.get("bank"),
                    ExchangeBankVersion.direction == "published",
                )
            )
            if ours is None:
                continue
            key = str(entry.get("entry_key"))[:100]
            reason = entry.get("reason")
            keep_vote(
                session,
                str(entry["bank"]),
                key,
                checked.sender,
                entry["vote"],
                str(reason) if reason else None,
            )
            touched[str(entry["bank"])].append(key)
            kept += 1
        workspace.audit.append(
            session,
            actor=actor,
            action="exchange.votes_received",
            object_type="exchange_package",
            object_id=str(checked.manifest["package_id"]),
            details={"sender": checked.sender, "votes": len(entries), "kept": kept},
        )
        for bank, keys in touched.items():
            _audit_holds(workspace, session, check_disputes(session, bank, keys), actor)
    workspace.audit.save_anchor()
    return kept


def _audit_holds(
    workspace: Workspace, session: Session, holds: list[BankEntryHold], actor: str
) -> None:
    for hold in holds:
        workspace.audit.append(
            session,
            actor=actor,
            action="bank_entry.held",
            object_type="bank_entry",
            object_id=str(hold.bank_entry_id),
            details={"reason": hold.reason, "detail": hold.detail},
        )


def vote_entry(
    workspace: Workspace,
    entry: str,
    vote: str,
    reason: str | None,
    actor: str,
    bank: str | None = None,
) -> dict[str, Any]:
    """``grace hashset vote``: keep this node's vote here and, for a bank subscribed from a
    publisher (``<bank>@<publisher>``), send it back to the publisher.

    The vote counts here too, so a subscriber whose bank's threshold its own dispute
    reaches (``grace hashset guard BANK --disputes 1``) stops alerting at once."""
    if vote not in VOTES:
        raise ExchangeError("a vote is confirm or dispute")
    node = load_node(workspace)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row = resolve_entry(session, entry, bank)
        local = session.get(HashBank, row.bank_id)
        assert local is not None
        key = entry_key_of(row)
        keep_vote(session, local.name, key, node.name, vote, reason)
        held = check_disputes(session, local.name, [key])
        workspace.audit.append(
            session,
            actor=actor,
            action="bank_entry.vote",
            object_type="bank_entry",
            object_id=str(row.id),
            details={"bank": local.name, "entry_key": key, "vote": vote, "reason": reason},
        )
        _audit_holds(workspace, session, held, actor)
        shared = bool((local.data or {}).get("shared")) and "@" in local.name
        name, entry_id = local.name, row.id
    workspace.audit.save_anchor()
    result: dict[str, Any] = {
        "entry_id": entry_id,
        "bank": name,
        "entry_key": key,
        "vote": vote,
        "held_here": [h.detail for h in held],
    }
    if shared:
        result["sent"] = send_vote(workspace, name, key, vote, reason, actor).as_dict()
    return result


def vote_counts(workspace: Workspace, bank: str) -> dict[str, dict[str, Any]]:
    """Per entry of a bank published here: confirm and dispute counts, and the reasons."""
    counts: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"confirm": 0, "dispute": 0, "reasons": []}
    )
    with workspace.sessions() as session:
        for row in session.scalars(select(ExchangeBankVote).where(ExchangeBankVote.bank == bank)):
            counts[row.entry_key][row.vote] += 1
            if row.reason:
                counts[row.entry_key]["reasons"].append(f"{row.voter}: {row.reason}")
    return dict(counts)
