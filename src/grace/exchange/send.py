"""``grace send``: package each routed referral for its agency's node and deliver it.

Up to ``PER_PACKAGE`` referrals per package, each the referral in grace JSON (the model
exactly as this node stored it), every document and media file byte for byte from the
vault, and this node's custody records for them. Delivery is an HTTP(S) POST to the
peer's inbox, whose answer is the peer's signed receipt (checked against the peer's
pinned key and kept), or a file in an outbox folder for air-gapped transfer. The
``exchange_sent`` row is the mark that the referral was disseminated; the referral's desk
status is left to the desk.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from grace.exchange import package
from grace.exchange.node import ExchangeError, Node, load_node
from grace.exchange.peers import find_peer, peer_for_agency
from grace.exports.signing import load_public_key
from grace.ingest.grace_json import SCHEMA_ID
from grace.ingest.pipeline import BATCH_SIZE
from grace.store.exchange_tables import ExchangePeer, ExchangeSent
from grace.store.locks import hold_write_lock
from grace.store.tables import Custody, Referral, ReferralFile
from grace.workspace import Workspace

INBOX_PATH = "/api/v1/exchange/inbox"
NODE_HEADER = "X-Grace-Node"
TIMEOUT_S = 120.0
WORKERS = 4
PER_PACKAGE = BATCH_SIZE  # one package is one ingest batch there: as many disk flushes


@dataclass
class Delivery:
    """Where a package went and what came back."""

    peer: str
    referral_id: int | None
    package_id: str
    package_sha256: str
    delivery: str  # delivered | outbox | failed
    receipt: dict[str, Any] | None = None
    receipt_ok: bool = False
    error: str | None = None
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def referral_members(
    workspace: Workspace,
    session: Session,
    row: Referral,
    node: str,
    files: list[ReferralFile] | None = None,
    custody: list[Custody] | None = None,
    verified: dict[str, str] | None = None,
) -> dict[str, bytes]:
    """The package members for one referral: document, originals, media, custody.

    ``files`` and ``custody`` may be given, already loaded for a whole package (two
    queries per package instead of two per referral); ``verified`` collects the SHA-256
    of each member read from the vault (which proved it on reading)."""
    document = {"$schema": SCHEMA_ID, **row.data}
    members = {"referral.json": json.dumps(document, ensure_ascii=False).encode()}
    if files is None:
        files = list(
            session.scalars(
                select(ReferralFile)
                .where(ReferralFile.referral_id == row.id)
                .order_by(ReferralFile.id)
            )
        )
    for index, file in enumerate(files):
        if file.sha256:
            members[f"media/{index}"] = workspace.vault.get(file.sha256)
            if verified is not None:
                verified[f"media/{index}"] = file.sha256
    if custody is None:
        custody = list(
            session.scalars(
                select(Custody).where(Custody.referral_id == row.id).order_by(Custody.id)
            )
        )
    documents = [c for c in custody if c.role == "document"]
    for number, record in enumerate(documents):
        members[f"documents/{number}"] = workspace.vault.get(record.sha256)
        if verified is not None:
            verified[f"documents/{number}"] = record.sha256
    records = [
        {
            "sha256": c.sha256,
            "role": c.role,
            "original_name": c.original_name,
            "source": c.source,
            "received_at": c.received_at.isoformat(),
            "actor": c.actor,
            "node": node,
        }
        for c in custody
    ]
    members["custody.json"] = json.dumps(records, ensure_ascii=False).encode()
    return members


def _package_members(
    workspace: Workspace, referral_ids: list[int], node: str
) -> tuple[dict[str, bytes], list[dict[str, Any]], dict[str, str]]:
    """Members, ``about.referrals`` and the vault-verified digests of one package:
    referral *k* under ``r<k>/``."""
    members: dict[str, bytes] = {}
    verified: dict[str, str] = {}
    listed = []
    with workspace.sessions() as own:
        rows = {r.id: r for r in own.scalars(select(Referral).where(Referral.id.in_(referral_ids)))}
        files: dict[int, list[ReferralFile]] = defaultdict(list)
        for file in own.scalars(
            select(ReferralFile)
            .where(ReferralFile.referral_id.in_(referral_ids))
            .order_by(ReferralFile.id)
        ):
            files[file.referral_id].append(file)
        custody: dict[int, list[Custody]] = defaultdict(list)
        for record in own.scalars(
            select(Custody).where(Custody.referral_id.in_(referral_ids)).order_by(Custody.id)
        ):
            custody[record.referral_id or 0].append(record)
        for k, referral_id in enumerate(referral_ids):
            row = rows[referral_id]
            prefix = f"r{k}/"
            mine: dict[str, str] = {}
            found = referral_members(
                workspace, own, row, node, files[referral_id], custody[referral_id], mine
            )
            members |= {prefix + name: data for name, data in found.items()}
            verified |= {prefix + name: digest for name, digest in mine.items()}
            listed.append({"referral_id": row.id, "natural_key": row.natural_key, "prefix": prefix})
    return members, listed, verified


def pending_referrals(
    session: Session, agencies: Iterable[str] | None, ids: list[int] | None
) -> list[Referral]:
    """Routed referrals not yet delivered (or put in an outbox) to their agency's node."""
    query = select(Referral).where(Referral.agency.is_not(None)).order_by(Referral.id)
    if ids:
        query = query.where(Referral.id.in_(ids))
    if agencies:
        query = query.where(Referral.agency.in_(list(agencies)))
    done = select(ExchangeSent.referral_id).where(
        ExchangeSent.kind == "referral", ExchangeSent.delivery != "failed"
    )
    if not ids:  # named referrals are sent again on request (the receiver deduplicates)
        query = query.where(Referral.id.not_in(done))
    return list(session.scalars(query))


def send_referrals(
    workspace: Workspace,
    actor: str,
    agencies: list[str] | None = None,
    ids: list[int] | None = None,
    outbox: Path | None = None,
    progress: Callable[[Delivery], None] | None = None,
) -> list[Delivery]:
    """Send every pending routed referral to the active peer pinned for its agency.

    Up to ``PER_PACKAGE`` referrals for one peer travel in one package, which the receiver
    stores as one ingest batch (one transaction, one disk flush), and a few packages are
    built and posted at once, so that reading the vault here overlaps with verifying and
    storing there. Each referral's result is recorded (outbox row, audit) by this thread.
    """
    node = load_node(workspace)
    chunks: list[tuple[ExchangePeer, list[int]]] = []
    with workspace.sessions() as session:
        by_peer: dict[str, tuple[ExchangePeer, list[int]]] = {}
        for row in pending_referrals(session, agencies, ids):
            peer = peer_for_agency(session, str(row.agency))
            if peer is None:  # no node for that agency: it stays pending
                continue
            if peer.name not in by_peer:
                session.expunge(peer)
                by_peer[peer.name] = (peer, [])
            by_peer[peer.name][1].append(row.id)
        for peer, referral_ids in by_peer.values():
            for start in range(0, len(referral_ids), PER_PACKAGE):
                chunks.append((peer, referral_ids[start : start + PER_PACKAGE]))
    results: list[Delivery] = []
    with httpx.Client(timeout=TIMEOUT_S) as client, ThreadPoolExecutor(WORKERS) as pool:

        def one(chunk: tuple[ExchangePeer, list[int]]) -> list[Delivery]:
            peer, referral_ids = chunk
            members, listed, verified = _package_members(workspace, referral_ids, node.name)
            recipient = {"node": peer.name, "agency": peer.agency}
            about = {"referrals": listed}
            data = package.build(node, "referral", recipient, members, about, known=verified)
            return split(deliver(client, node, peer, data, None, outbox), referral_ids)

        for chunk_results in pool.map(one, chunks):
            record_deliveries(workspace, actor, chunk_results, "referral")
            for result in chunk_results:
                results.append(result)
                if progress:
                    progress(result)
    return results


def split(result: Delivery, referral_ids: list[int]) -> list[Delivery]:
    """One result per referral of a package (``<package id>/<k>``: its k-th referral)."""
    answers = {a.get("sender_referral_id"): a for a in (result.receipt or {}).get("referrals", [])}
    out = []
    for k, referral_id in enumerate(referral_ids):
        one = Delivery(**{**result.__dict__, "referral_id": referral_id})
        one.package_id = f"{result.package_id}/{k}"
        answer = answers.get(referral_id)
        if answer and answer.get("status") == "quarantined" and one.delivery == "delivered":
            one.delivery, one.error = "failed", f"refused: {answer.get('reason')}"
        out.append(one)
    return out


def deliver(
    client: httpx.Client,
    node: Node,
    peer: ExchangePeer,
    data: bytes,
    referral_id: int | None,
    outbox: Path | None,
) -> Delivery:
    """POST to the peer's inbox, or write to the outbox when asked or when it has no URL."""
    manifest, *_ = package.read_unverified(data)
    result = Delivery(
        peer.name, referral_id, str(manifest["package_id"]), package.sha256(data), "outbox"
    )
    if outbox is not None or not peer.url:
        folder = (outbox or Path("outbox")) / peer.name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{result.package_id}.grace-exchange.zip"
        path.write_bytes(data)
        result.path = str(path)
        return result
    headers = {
        NODE_HEADER: node.name,
        "Authorization": f"Bearer {peer.send_token or ''}",
        "Content-Type": "application/zip",
    }
    try:
        response = client.post(peer.url + INBOX_PATH, content=data, headers=headers)
        receipt = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        result.delivery, result.error = "failed", f"{type(exc).__name__}: {exc}"[:300]
        return result
    if response.status_code != 200 or not isinstance(receipt, dict) or "status" not in receipt:
        detail = receipt.get("detail") if isinstance(receipt, dict) else None
        result.delivery, result.error = "failed", f"HTTP {response.status_code}: {detail}"
        return result
    result.delivery, result.receipt = "delivered", receipt
    result.receipt_ok = package.receipt_ok(load_public_key(bytes.fromhex(peer.public_key)), receipt)
    if receipt.get("status") == "quarantined":
        result.delivery, result.error = "failed", f"refused: {receipt.get('reason')}"
    return result


def record_delivery(workspace: Workspace, actor: str, result: Delivery, kind: str) -> None:
    record_deliveries(workspace, actor, [result], kind)


def record_deliveries(workspace: Workspace, actor: str, results: list[Delivery], kind: str) -> None:
    """The outbox rows (each referral's dissemination mark), one audit event per package
    (naming its referrals), in one transaction."""
    now = datetime.now(UTC)
    rows = [
        {
            "package_id": r.package_id,
            "package_sha256": r.package_sha256,
            "kind": kind,
            "peer": r.peer,
            "referral_id": r.referral_id,
            "sent_at": now,
            "delivery": r.delivery,
            "error": r.error,
            "receipt": r.receipt,
            "receipt_ok": r.receipt_ok,
        }
        for r in results
    ]
    packages: dict[str, list[Delivery]] = defaultdict(list)
    for result in results:
        packages[result.package_sha256].append(result)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        if rows:
            session.execute(insert(cast(Table, ExchangeSent.__table__)), rows)
        for group in packages.values():
            first = group[0]
            referrals = [r.referral_id for r in group if r.referral_id is not None]
            workspace.audit.append(
                session,
                actor=actor,
                action=f"exchange.send_{kind}",
                object_type="exchange_package",
                object_id=first.package_id.split("/")[0],
                details={
                    "peer": first.peer,
                    "package_sha256": first.package_sha256,
                    "referrals": [
                        {"referral_id": r.referral_id, "delivery": r.delivery, "error": r.error}
                        for r in group
                        if r.referral_id is not None
                    ]
                    if referrals
                    else None,
                    "delivery": first.delivery,
                    "receipt_ok": first.receipt_ok,
                    "error": first.error,
                },
            )
    workspace.audit.save_anchor()


def peer_named(workspace: Workspace, name: str) -> ExchangePeer:
    with workspace.sessions() as session:
        row = find_peer(session, name)
        session.expunge(row)
    if row.status != "active":
        raise ExchangeError(f"peer {name} is revoked")
    return row
