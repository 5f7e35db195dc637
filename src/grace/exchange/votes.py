"""Confirm/dispute votes on shared bank entries, sent back to the bank's publisher.

A subscriber votes on ``<bank>@<publisher>``; the vote travels as a signed ``votes``
package to the publisher's inbox, which keeps one vote per entry and voter (a later vote
replaces an earlier one) for a bank it published, and shows the counts per entry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select

from grace.exchange import package
from grace.exchange.node import ExchangeError, load_node
from grace.exchange.send import Delivery, deliver, peer_named, record_delivery
from grace.store.exchange_tables import ExchangeBankVersion, ExchangeBankVote
from grace.store.locks import hold_write_lock
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
    """Keep each vote on a bank this node published; returns how many were kept."""
    entries = package.Package(checked.manifest, checked.members).member_json("votes.json")
    if not isinstance(entries, list):
        raise package.PackageError("malformed document: votes.json is not a list")
    kept = 0
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
            row = session.scalar(
                select(ExchangeBankVote).where(
                    ExchangeBankVote.bank == entry["bank"],
                    ExchangeBankVote.entry_key == str(entry.get("entry_key"))[:100],
                    ExchangeBankVote.voter == checked.sender,
                )
            )
            if row is None:
                row = ExchangeBankVote(
                    bank=entry["bank"],
                    entry_key=str(entry.get("entry_key"))[:100],
                    voter=checked.sender,
                )
                session.add(row)
            row.vote, row.reason = entry["vote"], entry.get("reason")
            row.at = datetime.now(UTC)
            kept += 1
        workspace.audit.append(
            session,
            actor=actor,
            action="exchange.votes_received",
            object_type="exchange_package",
            object_id=str(checked.manifest["package_id"]),
            details={"sender": checked.sender, "votes": len(entries), "kept": kept},
        )
    return kept


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
