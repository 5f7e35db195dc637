"""``grace receive``: verify a package against its sender's pinned key, then ingest it.

Checks, in order, each failure quarantined with one line and nothing ingested: readable
package, known and active sender, signature by the pinned key, every member as the
manifest lists it, not a replay (a package id reused by other bytes, or older than the
replay window), addressed to this node's agency, and a valid grace referral. A package
seen before reports ``already_present``. A referral is stored through the ingest pipeline
itself (same vault, same custody code); its custody ``source`` names the sender, the
package digest and the signer, and the sender's own custody records are kept beside it.
The answer is a receipt signed with this node's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grace.exchange import package
from grace.exchange.node import Node, load_node
from grace.exchange.package import PackageError
from grace.exchange.units import referral_units
from grace.exports.signing import load_public_key
from grace.ingest.inputs import InputProblem
from grace.ingest.pipeline import IngestPipeline
from grace.store.exchange_tables import ExchangePeer, ExchangeReceived
from grace.store.locks import hold_write_lock
from grace.workspace import Workspace

REPLAY_WINDOW = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=10)
DONE = ("ingested", "already_present")


@dataclass
class Checked:
    """A package whose signature and members have been verified."""

    sha256: str
    manifest: dict[str, Any]
    members: dict[str, bytes]
    sender: str
    signer: str


Answer = tuple[dict[str, Any], str, int | None, str | None]  # entry, status, id, reason


def receive(workspace: Workspace, data: bytes, source: str, actor: str) -> dict[str, Any]:
    """Verify and ingest one package; returns the signed receipt (also for a refusal)."""
    node = load_node(workspace)
    digest = package.sha256(data)
    seen = _seen(workspace, digest)
    if seen:
        answers: list[Answer] = [
            ({"referral_id": r.remote_referral_id}, "already_present", r.referral_id, None)
            for r in seen
        ]
        return _receipt(node, seen[0].package_id, digest, answers)
    manifest: dict[str, Any] = {}
    try:
        manifest, raw, signature, archive = package.read_unverified(data)
        checked = verify(workspace, node, digest, manifest, raw, signature, archive)
        if checked.manifest["kind"] in ("outcomes", "votes"):
            from grace.exchange.outcomes import apply_outcomes
            from grace.exchange.votes import apply_votes

            kind = checked.manifest["kind"]
            (apply_outcomes if kind == "outcomes" else apply_votes)(workspace, checked, actor)
            done: list[Answer] = [({}, "ingested", None, None)]
            _record(workspace, checked, done, actor)
            return _receipt(node, checked.manifest["package_id"], digest, done)
        units = referral_units(checked, source)
    except PackageError as exc:
        return _refuse(workspace, node, data, digest, manifest, source, str(exc), actor)
    outcomes = IngestPipeline(workspace, actor).store([unit for _, unit in units])
    answers = [
        (
            entry,
            outcome.status,
            outcome.referral_id,
            f"malformed document: {outcome.reason}" if outcome.status == "quarantined" else None,
        )
        for (entry, _), outcome in zip(units, outcomes, strict=True)
    ]
    _record(workspace, checked, answers, actor)
    return _receipt(node, checked.manifest["package_id"], digest, answers)


def _seen(workspace: Workspace, digest: str) -> list[ExchangeReceived]:
    with workspace.sessions() as session:
        query = select(ExchangeReceived).where(
            ExchangeReceived.package_sha256 == digest, ExchangeReceived.status.in_(DONE)
        )
        rows = list(session.scalars(query.order_by(ExchangeReceived.id)))
        for row in rows:
            session.expunge(row)
        return rows


def verify(
    workspace: Workspace,
    node: Node,
    digest: str,
    manifest: dict[str, Any],
    raw: bytes,
    signature: bytes,
    archive: Any,
    addressed: bool = True,
) -> Checked:
    sender = str((manifest.get("sender") or {}).get("node"))
    claimed = str((manifest.get("sender") or {}).get("fingerprint"))
    with workspace.sessions() as session:
        peer = session.scalar(select(ExchangePeer).where(ExchangePeer.name == sender))
        if peer is None:
            raise PackageError(f"unknown sender {sender}: no peer pinned under that name")
        if peer.status != "active":
            raise PackageError(f"sender {sender} is revoked")
        if claimed != peer.fingerprint:
            raise PackageError(
                f"signed by an unknown key {claimed[:23]}..., not the key pinned for {sender}"
            )
        package.check_signature(
            raw, signature, load_public_key(bytes.fromhex(peer.public_key)), sender
        )
        members = package.read_members(manifest, archive)
        _not_replayed(session, manifest, digest)
    if addressed:  # a bank delta is published to every subscriber, not addressed
        _addressed_here(node, manifest)
    return Checked(digest, manifest, members, sender, claimed)


def _not_replayed(session: Any, manifest: dict[str, Any], digest: str) -> None:
    package_id = str(manifest["package_id"])
    other = session.scalar(
        select(ExchangeReceived.package_sha256).where(
            ExchangeReceived.package_id == package_id,
            ExchangeReceived.package_sha256 != digest,
            ExchangeReceived.status.in_(DONE),
        )
    )
    if other is not None:
        raise PackageError(f"replay: package id {package_id} was already received with other bytes")
    try:
        created = datetime.fromisoformat(str(manifest["created_at"]))
    except ValueError:
        raise PackageError("malformed package: created_at is not a time") from None
    now = datetime.now(UTC)
    if created.tzinfo is None or created < now - REPLAY_WINDOW or created > now + CLOCK_SKEW:
        raise PackageError(
            f"replay: package created {manifest['created_at']}, outside the "
            f"{REPLAY_WINDOW.days}-day window"
        )


def _addressed_here(node: Node, manifest: dict[str, Any]) -> None:
    recipient = manifest.get("recipient") or {}
    agency, name = recipient.get("agency"), recipient.get("node")
    if node.agency and agency != node.agency:
        raise PackageError(f"addressed to agency {agency}, this node acts for {node.agency}")
    if name != node.name:
        raise PackageError(f"addressed to node {name}, this node is {node.name}")


def _record(workspace: Workspace, checked: Checked, answers: list[Answer], actor: str) -> None:
    """One inbox row per referral of the package and one audit event for the package
    (naming each referral, its status and ours), in one transaction. Each stored referral
    has its own ``ingest`` event already, whose source names the package and signer."""
    whole = package.Package(checked.manifest, checked.members)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        workspace.audit.append(
            session,
            actor=actor,
            action="exchange.receive",
            object_type="exchange_package",
            object_id=str(checked.manifest["package_id"]),
            details={
                "sender": checked.sender,
                "signer": checked.signer,
                "package_sha256": checked.sha256,
                "kind": str(checked.manifest["kind"]),
                "referrals": [
                    {
                        "sender_referral_id": entry.get("referral_id"),
                        "status": status,
                        "referral_id": referral_id,
                    }
                    | ({"reason": reason} if reason else {})
                    for entry, status, referral_id, reason in answers
                ],
            },
        )
        for entry, status, referral_id, reason in answers:
            prefix = str(entry.get("prefix", ""))
            custody = prefix + "custody.json"
            records = whole.member_json(custody) if custody in checked.members else []
            session.add(
                ExchangeReceived(
                    package_id=str(checked.manifest["package_id"]),
                    package_sha256=checked.sha256,
                    kind=str(checked.manifest["kind"]),
                    sender=checked.sender,
                    signer_fingerprint=checked.signer,
                    received_at=datetime.now(UTC),
                    status=status,
                    reason=reason,
                    referral_id=referral_id,
                    remote_referral_id=entry.get("referral_id"),
                    custody={"records": records},
                )
            )
    workspace.audit.save_anchor()


def _refuse(
    workspace: Workspace,
    node: Node,
    data: bytes,
    digest: str,
    manifest: dict[str, Any],
    source: str,
    reason: str,
    actor: str,
) -> dict[str, Any]:
    """Quarantine through the ingest pipeline (record, audit) and note it in the inbox."""
    IngestPipeline(workspace, actor).quarantine(InputProblem(source, reason, data))
    sender = manifest.get("sender") if isinstance(manifest.get("sender"), dict) else {}
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        session.add(
            ExchangeReceived(
                package_id=str(manifest.get("package_id"))[:64] if manifest else None,
                package_sha256=digest,
                kind=str(manifest.get("kind"))[:20] if manifest else None,
                sender=str((sender or {}).get("node"))[:100] if sender else None,
                signer_fingerprint=str((sender or {}).get("fingerprint"))[:80] if sender else None,
                received_at=datetime.now(UTC),
                status="quarantined",
                reason=reason,
            )
        )
    package_id = str(manifest.get("package_id")) if manifest else None
    return _receipt(node, package_id, digest, [({}, "quarantined", None, reason)])


def _receipt(
    node: Node, package_id: str | None, digest: str, answers: list[Answer]
) -> dict[str, Any]:
    """Signed: the package's overall status, and each referral's (the sender's id, ours)."""
    statuses = {status for _, status, _, _ in answers}
    overall = next(s for s in ("ingested", "already_present", "quarantined") if s in statuses)
    reasons = [reason for _, _, _, reason in answers if reason]
    body: dict[str, Any] = {
        "package_id": package_id,
        "package_sha256": digest,
        "status": overall,
        "receiver": node.name,
        "receiver_fingerprint": node.fingerprint,
        "referral_id": answers[0][2],
        "referrals": [
            {"sender_referral_id": e.get("referral_id"), "status": st, "referral_id": ident}
            | ({"reason": why} if why else {})
            for e, st, ident, why in answers
            if e.get("referral_id") is not None
        ],
        "at": datetime.now(UTC).isoformat(),
    }
    if reasons:
        body["reason"] = reasons[0]
    return package.sign_receipt(node.key, body)
