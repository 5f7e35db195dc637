"""The node's flows: join a coordinator, sync tokens (blind, evaluate, unblind, upload),
pull alerts, withdraw referrals. Incremental: a referral is sent once per epoch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from grace.deconflict import oprf, pool
from grace.deconflict.canonical import oprf_input
from grace.deconflict.client import Caller, TransportError, b64, unb64
from grace.deconflict.node import (
    DEFAULT_RETENTION_DAYS,
    Item,
    NodeSettings,
    due_referrals,
    items,
    mark_synced,
    store_notices,
)
from grace.exports.signing import fingerprint, load_or_create_signing_key, raw_public
from grace.store.deconflict_tables import DeconflictNotice, DeconflictRef, DeconflictSent
from grace.store.upsert import insert_new
from grace.workspace import Workspace

REFERRALS_PER_ROUND = 2000  # a round of ~2,000+ tokens: several batches for the pool
Progress = Callable[[int, int], None]


def node_key(workspace: Workspace) -> dict[str, str]:
    """What a coordinator operator pins: this node's public key and its fingerprint."""
    public = load_or_create_signing_key(workspace.home).public_key()
    return {"public_key": raw_public(public).hex(), "fingerprint": fingerprint(public)}


def join(
    workspace: Workspace,
    url: str,
    node: str,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    second_url: str | None = None,
) -> dict[str, Any]:
    """Switch deconfliction on: pin the coordinator's current OPRF key (trust on first use;
    compare the printed key with the coordinator's ``grace deconflict coordinator show``).

    With ``second_url`` the key is split between two evaluators run by different
    organisations: every identifier is evaluated blind by both and the token is
    ``split_token(F_k1(x), F_k2(x))``, so neither the coordinator (which keeps the index)
    nor the second evaluator can test a guess alone. Every agency must use the same pair."""
    with Caller(workspace, node, url) as caller:
        config = caller.get("/config")
    settings = NodeSettings(node=node, url=url, keys={str(config["epoch"]): config["public_key"]},
                            retention_days=retention_days)  # fmt: skip
    info = {"node": node, "url": url, "epoch": config["epoch"], "public_key": config["public_key"]}
    if second_url:
        with Caller(workspace, node, second_url) as caller:
            second = caller.get("/config")
        settings.second_url = second_url
        settings.second_keys = {str(second["epoch"]): second["public_key"]}
        info["second"] = {"url": second_url, "epoch": second["epoch"],
                          "public_key": second["public_key"]}  # fmt: skip
    settings.save(workspace.home)
    return info


@dataclass
class SyncReport:
    epoch: int = 0
    referrals: int = 0
    tokens: int = 0
    alerts: int = 0
    notices: int = 0
    batches: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def sync(workspace: Workspace, batch: int = 2000, progress: Progress | None = None) -> SyncReport:
    """Upload tokens of every referral not yet synced in the current epoch, then pull alerts."""
    settings = NodeSettings.load(workspace.home)
    report = SyncReport()
    with Caller(workspace, settings.node, settings.url) as caller:
        epoch, key = _pinned(caller, settings.keys, settings, workspace.home)
        second = _second(workspace, settings)
        report.epoch = epoch
        with workspace.sessions() as session:
            total = len(due_referrals(session, epoch))
        while True:
            with workspace.sessions.begin() as session:
                due = due_referrals(session, epoch, REFERRALS_PER_ROUND)
                if not due:
                    break
                pending = list(items(session, due, settings.retention_days))
                where = (workspace.home, settings.node, settings.url)
                tokens = tokenise(caller, epoch, key, pending, batch, report, where)
                if second is not None:
                    tokens = _split(workspace, settings, second, pending, batch, tokens)
                for start in range(0, len(pending), batch):
                    report.alerts += _upload(caller, epoch, pending, tokens, start, batch)
                insert_new(session, DeconflictSent, [
                    {"referral_id": i.referral_id, "epoch": epoch, "token": t, "kind": i.kind,
                     "sent_at": datetime.now(UTC)} for i, t in zip(pending, tokens, strict=True)
                ])  # fmt: skip
                mark_synced(session, due, epoch)
            report.referrals += len(due)
            if progress:
                progress(report.referrals, total)
        report.notices = pull_alerts(workspace, caller, settings)
    return report


def tokenise(
    caller: Caller,
    epoch: int,
    key: bytes,
    pending: list[Item],
    batch: int,
    report: SyncReport,
    where: tuple[Path, str, str] | None = None,
) -> list[str]:
    """Blind locally, have the coordinator evaluate blind, unblind and check its proof.

    With ``where`` (home, node name, coordinator URL) and more than one batch, the batches
    run in this machine's worker processes at once (``grace.deconflict.pool``)."""
    batches = [
        [oprf_input(i.kind, i.value) for i in pending[start : start + batch]]
        for start in range(0, len(pending), batch)
    ]
    report.batches += len(batches)
    report.tokens += len(pending)
    done = pool.tokenise(*where, epoch, key, batches) if where else None
    if done is not None:
        return [token for chunk in done for token in chunk]
    tokens: list[str] = []
    for inputs in batches:
        blinded = oprf.Blinded(inputs)
        answer = caller.post("/evaluate", {"epoch": epoch, "blinded": b64(blinded.packed)})
        tokens.extend(blinded.finalize(unb64(answer.get("evaluated")), key))
    return tokens


def _upload(
    caller: Caller, epoch: int, pending: list[Item], tokens: list[str], start: int, batch: int
) -> int:
    entries = [
        {"token": t, "kind": i.kind, "ref": i.ref, "expires_at": i.expires_at.isoformat()}
        for i, t in zip(pending[start : start + batch], tokens[start : start + batch], strict=True)
    ]
    answer = caller.post("/tokens", {"epoch": epoch, "add": entries, "withdraw": []})
    return int(answer.get("alerts", 0))


def _second(workspace: Workspace, settings: NodeSettings) -> tuple[int, bytes] | None:
    """The second evaluator's epoch and pinned key, when the key is split."""
    if not settings.second_url:
        return None
    with Caller(workspace, settings.node, settings.second_url) as caller:
        return _pinned(caller, settings.second_keys, settings, workspace.home)


def _split(
    workspace: Workspace,
    settings: NodeSettings,
    second: tuple[int, bytes],
    pending: list[Item],
    batch: int,
    first: list[str],
) -> list[str]:
    """The same identifiers evaluated blind by the second evaluator, combined with the
    first evaluator's outputs into the tokens the coordinator indexes."""
    assert settings.second_url
    epoch, key = second
    where = (workspace.home, settings.node, settings.second_url)
    with Caller(workspace, settings.node, settings.second_url) as caller:
        other = tokenise(caller, epoch, key, pending, batch, SyncReport(), where)
    return [oprf.split_token(a, b) for a, b in zip(first, other, strict=True)]


def _pinned(
    caller: Caller, keys: dict[str, str], settings: NodeSettings, home: Path
) -> tuple[int, bytes]:
    """The current epoch and its key; a new epoch's key is pinned (the old one stays known),
    a changed key for a pinned epoch is refused: it would let the coordinator tag this node."""
    config = caller.get("/config")
    epoch, key = int(config["epoch"]), str(config["public_key"])
    pinned = keys.get(str(epoch))
    if pinned is None:
        keys[str(epoch)] = key
        settings.save(home)
    elif pinned != key:
        raise TransportError(f"the coordinator's key for epoch {epoch} changed: refusing")
    return epoch, bytes.fromhex(key)


def pull_alerts(workspace: Workspace, caller: Caller, settings: NodeSettings) -> int:
    """Fetch alerts newer than the last seen and keep them as notices."""
    answer = caller.post("/alerts", {"after": settings.last_alert})
    alerts = [a for a in answer.get("alerts", []) if isinstance(a, dict)]
    with workspace.sessions.begin() as session:
        stored = store_notices(session, alerts)
    if alerts:
        settings.last_alert = max(int(a.get("id", 0)) for a in alerts)
        settings.save(workspace.home)
    return stored


def withdraw(workspace: Workspace, referral_ids: list[int]) -> int:
    """Withdraw referrals: their tokens leave the index, their notices are dropped here."""
    settings = NodeSettings.load(workspace.home)
    with workspace.sessions.begin() as session:
        refs = list(session.scalars(
            select(DeconflictRef.ref).where(DeconflictRef.referral_id.in_(referral_ids))
        ))  # fmt: skip
        with Caller(workspace, settings.node, settings.url) as caller:
            config = caller.get("/config")
            answer = caller.post("/tokens", {"epoch": config["epoch"], "add": [], "withdraw": refs})
        for row in session.scalars(
            select(DeconflictRef).where(DeconflictRef.referral_id.in_(referral_ids))
        ):
            row.withdrawn_at = datetime.now(UTC)
        session.execute(
            delete(DeconflictNotice).where(DeconflictNotice.referral_id.in_(referral_ids))
        )
    return int(answer.get("withdrawn", 0))


def read_notices(workspace: Workspace) -> list[dict[str, Any]]:
    """Every notice kept here, oldest first, in the words an analyst reads."""
    from grace.deconflict.coordinator import notice_text

    with workspace.sessions() as session:
        rows = session.scalars(select(DeconflictNotice).order_by(DeconflictNotice.id))
        return [
            {"referral_id": n.referral_id, "kind": n.kind, "other_node": n.other_node,
             "other_ref": n.other_ref, "received_at": n.received_at.isoformat(),
             "text": notice_text(str(n.referral_id), n.kind, n.other_node, n.other_ref)}
            for n in rows
        ]  # fmt: skip
