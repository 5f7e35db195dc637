"""Hash-set sharing: signed, versioned deltas of a bank, applied in order by subscribers.

``publish`` compares the bank with what this node last published (a snapshot kept in
``<home>/exchange/published``) and writes version N+1: entries added, removed and
recategorised, each with scheme, category and provenance (node, role, time: the delta's,
unless an entry carries its own because it came from another node). The delta is
a signed package (``package``), kept in the vault and listed at ``/api/v1/exchange/banks``.
A subscriber applies version N+1 only on top of N: a gap is stated, never papered over.
The subscribed bank is ``<bank>@<publisher>``, updated in place.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from grace.exchange import package
from grace.exchange.node import ExchangeError, load_node
from grace.exchange.receive import verify
from grace.store.exchange_tables import ExchangeBankVersion
from grace.store.locks import hold_write_lock
from grace.store.media_tables import BankEntry, BankEntryHold, BankImport, HashBank, MediaMatch
from grace.vault.records import store_blob
from grace.workspace import Workspace

CHUNK = 5_000
HASH_ORDER = ("sha256", "md5", "sha1", "pdq")


@dataclass
class DeltaResult:
    bank: str
    version: int
    added: int
    removed: int
    recategorised: int
    status: str = "applied"
    path: str | None = None
    kept_withdrawn: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def entry_key(row: dict[str, Any]) -> str | None:
    """An entry's identity across nodes: its strongest hash, as ``kind:hex``."""
    for kind in HASH_ORDER:
        if row.get(kind):
            return f"{kind}:{row[kind]}"
    return None


def _snapshot_path(workspace: Workspace, bank: str) -> Path:
    return workspace.home / "exchange" / "published" / f"{bank}.json"


def _current(session: Session, bank_id: int) -> dict[str, dict[str, Any]]:
    """The bank as published: every entry but those a review removed (``hashset review``)."""
    query = select(BankEntry.data, BankEntry.category_scheme, BankEntry.category_code).where(
        BankEntry.bank_id == bank_id
    )
    removed = select(BankEntryHold.bank_entry_id).where(BankEntryHold.status == "removed")
    if session.scalar(removed.limit(1)) is not None:  # rare: filter only when there are some
        query = query.where(BankEntry.id.not_in(removed))
    rows = session.execute(query)
    found: dict[str, dict[str, Any]] = {}
    for data, scheme, code in rows:
        key = entry_key(data)
        if key:
            found[key] = {**data, "category": {"scheme": scheme, "code": code} if code else None}
    return found


def publish(workspace: Workspace, bank: str, actor: str, out: Path | None = None) -> DeltaResult:
    """Write the next version of ``bank`` (nothing when it has not changed)."""
    node = load_node(workspace)
    path = _snapshot_path(workspace, bank)
    old: dict[str, Any] = {"version": 0, "entries": {}}
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
    with workspace.sessions() as session:
        row = session.scalar(select(HashBank).where(HashBank.name == bank))
        if row is None:
            raise ExchangeError(f"no bank named {bank}")
        kind, scheme, current = row.kind, row.scheme, _current(session, row.id)
    seen: dict[str, Any] = old["entries"]
    now = datetime.now(UTC).isoformat()
    provenance = {"node": node.name, "role": "publisher", "time": now}
    # Provenance is stated once for the delta; an entry carries its own only when it came
    # from elsewhere (a bank subscribed from another node, republished here).
    added = [e for k, e in current.items() if k not in seen]
    removed = [k for k in seen if k not in current]
    recat = [
        {"key": k, "category": e["category"]}
        for k, e in current.items()
        if k in seen and seen[k] != e["category"]
    ]
    version = int(old["version"]) + 1
    if old["version"] and not (added or removed or recat):
        return DeltaResult(bank, int(old["version"]), 0, 0, 0, "unchanged")
    delta = {
        "bank": bank,
        "kind": kind,
        "scheme": scheme,
        "version": version,
        "base_version": version - 1,
        "publisher": node.name,
        "published_at": now,
        "provenance": provenance,
        "added": added,
        "removed": removed,
        "recategorised": recat,
    }
    members = {"delta.json": json.dumps(delta, separators=(",", ":")).encode()}
    recipient = {"node": "*", "agency": None}
    about = {"bank": bank, "version": version}
    data = package.build(node, "bank_delta", recipient, members, about, compress=True)
    result = DeltaResult(bank, version, len(added), len(removed), len(recat), "published")
    _record(workspace, data, bank, node.name, result, "published", actor)
    target = out or workspace.home / "exchange" / "published" / f"{bank}-v{version}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    result.path = str(target)
    snapshot = {"version": version, "entries": {k: e["category"] for k, e in current.items()}}
    _write_atomic(path, json.dumps(snapshot, separators=(",", ":")).encode())
    return result


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _record(
    workspace: Workspace,
    data: bytes,
    bank: str,
    publisher: str,
    result: DeltaResult,
    direction: str,
    actor: str,
    session: Session | None = None,
) -> None:
    def write(session: Session) -> None:
        stored = store_blob(session, workspace.vault, data)
        session.add(
            ExchangeBankVersion(
                bank=bank,
                publisher=publisher,
                version=result.version,
                package_sha256=stored.sha256,
                direction=direction,
                added=result.added,
                removed=result.removed,
                recategorised=result.recategorised,
                at=datetime.now(UTC),
            )
        )
        workspace.audit.append(
            session,
            actor=actor,
            action=f"exchange.bank_{direction}",
            object_type="bank",
            object_id=f"{bank}@{publisher}",
            details={**result.as_dict(), "package_sha256": stored.sha256},
        )

    if session is not None:
        write(session)
        return
    with workspace.sessions.begin() as own:
        hold_write_lock(own)
        write(own)
    workspace.audit.save_anchor()


def apply(workspace: Workspace, data: bytes, actor: str) -> DeltaResult:
    """Verify a delta against its publisher's pinned key and apply it in order."""
    node = load_node(workspace)
    manifest, raw, signature, archive = package.read_unverified(data)
    if manifest.get("kind") != "bank_delta":
        raise package.PackageError("malformed package: not a bank delta")
    checked = verify(
        workspace, node, package.sha256(data), manifest, raw, signature, archive, False
    )
    delta = package.Package(manifest, checked.members).member_json("delta.json")
    bank, version = str(delta["bank"]), int(delta["version"])
    local = f"{bank}@{checked.sender}"
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        have = (
            session.scalar(
                select(func.max(ExchangeBankVersion.version)).where(
                    ExchangeBankVersion.bank == bank,
                    ExchangeBankVersion.publisher == checked.sender,
                    ExchangeBankVersion.direction == "applied",
                )
            )
            or 0
        )
        if version <= have:
            return DeltaResult(local, version, 0, 0, 0, "already_present")
        if int(delta["base_version"]) != have:
            raise ExchangeError(
                f"gap: {local} is at version {have}; this delta is version {version} "
                f"(on top of {delta['base_version']}): apply versions {have + 1}.."
                f"{version - 1} first"
            )
        result = _apply_rows(session, workspace, data, local, delta)
        _record(workspace, data, bank, checked.sender, result, "applied", actor, session)
    workspace.audit.save_anchor()
    return result


def _apply_rows(
    session: Session, workspace: Workspace, data: bytes, local: str, delta: dict[str, Any]
) -> DeltaResult:
    bank = session.scalar(select(HashBank).where(HashBank.name == local))
    if bank is None:
        bank = HashBank(
            name=local,
            kind=delta["kind"],
            scheme=delta.get("scheme"),
            created_at=datetime.now(UTC),
            data={"publisher": delta["publisher"], "shared": True},
        )
        session.add(bank)
        session.flush()
    stored = store_blob(session, workspace.vault, data)
    record = BankImport(
        bank_id=bank.id,
        sha256=stored.sha256,
        source_name=f"exchange:{delta['publisher']}:{delta['bank']}:v{delta['version']}",
        format="exchange_delta",
        entries=len(delta["added"]),
        warnings=[],
        imported_at=datetime.now(UTC),
    )
    session.add(record)
    session.flush()
    existing = {
        entry_key(d): i
        for i, d in session.execute(
            select(BankEntry.id, BankEntry.data).where(BankEntry.bank_id == bank.id)
        )
    }
    rows = [_row(bank.id, record.id, e) for e in delta["added"] if entry_key(e) not in existing]
    table = cast(Table, BankEntry.__table__)  # Core executemany: the ORM's bulk path costs more
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])
    gone = [existing[k] for k in delta["removed"] if k in existing]
    matched = (
        set(
            session.scalars(
                select(MediaMatch.bank_entry_id).where(MediaMatch.bank_entry_id.in_(gone))
            )
        )
        if gone
        else set()
    )
    free = [i for i in gone if i not in matched]
    for start in range(0, len(free), CHUNK):
        session.execute(delete(BankEntry).where(BankEntry.id.in_(free[start : start + CHUNK])))
    for change in delta["recategorised"]:
        ident = existing.get(change["key"])
        category = change.get("category") or {}
        if ident is not None:
            session.execute(
                update(BankEntry)
                .where(BankEntry.id == ident)
                .values(category_scheme=category.get("scheme"), category_code=category.get("code"))
            )
    result = DeltaResult(
        local, int(delta["version"]), len(rows), len(free), len(delta["recategorised"])
    )
    result.kept_withdrawn = len(matched)
    return result


def _row(bank_id: int, import_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    category = entry.get("category") or {}
    data = dict(entry)
    if not category:
        data.pop("category", None)
    return {
        "bank_id": bank_id,
        "import_id": import_id,
        "category_scheme": category.get("scheme"),
        "category_code": category.get("code"),
        "md5": entry.get("md5"),
        "sha1": entry.get("sha1"),
        "sha256": entry.get("sha256"),
        "pdq": entry.get("pdq"),
        "size": entry.get("size"),
        "data": data,
    }
