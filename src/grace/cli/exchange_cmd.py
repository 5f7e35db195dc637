"""``grace node``, ``grace peers``, ``grace send``, ``grace receive``, ``grace outcome``,
``grace exchange``: this workspace as a node among other grace nodes (docs/exchange.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    print_table,
)
from grace.cli.common import print_json as emit

node_app = typer.Typer(help="This workspace as a node: its name, agency and key fingerprint.")
peers_app = typer.Typer(help="Peer nodes you trust: pin keys, list, revoke, remove.")
exchange_app = typer.Typer(help="Exchange between nodes: inbox, outbox, a referral's history.")


@node_app.command("show")
def node_show(
    home: HomeOption = None,
    as_json: JsonOption = False,
    key_out: Annotated[
        Path | None, typer.Option("--key-out", help="Also write the public key (PEM) here.")
    ] = None,
) -> None:
    """Print the node id, agency and public-key fingerprint (give peers the PEM)."""
    from grace.exchange.node import load_node

    with open_workspace(home) as workspace:
        info = load_node(workspace).describe()
    if key_out:
        key_out.write_text(info["public_key_pem"], encoding="utf-8")
    if as_json:
        emit(info)
    else:
        typer.echo(f"node {info['name']}  agency {info['agency'] or '-'}\n{info['fingerprint']}")


@node_app.command("set")
def node_set(
    name: Annotated[str, typer.Option(help="Node id peers pin you under, e.g. de-bka.")],
    agency: Annotated[str | None, typer.Option(help="Agency id this node acts for.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Name this node and the agency it acts for (audited)."""
    from grace.exchange.node import ExchangeError, set_node

    with open_workspace(home) as workspace:
        try:
            info = set_node(workspace, name, agency, actor()).describe()
        except ExchangeError as exc:
            fail(str(exc))
    emit(info) if as_json else typer.echo(f"node {info['name']}  {info['fingerprint']}")


@peers_app.command("add")
def peers_add(
    name: Annotated[str, typer.Argument(help="The peer's node id.")],
    key: Annotated[Path, typer.Option("--key", help="The peer's public key file (PEM).")],
    url: Annotated[str | None, typer.Option(help="The peer's base URL (its grace serve).")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency id the peer acts for.")] = None,
    send_token: Annotated[
        str | None, typer.Option(help="Token the peer issued you, for its inbox.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pin a peer's key; prints the token the peer must present at your inbox (once)."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.peers import add_peer
    from grace.exports.signing import SigningKeyError

    with open_workspace(home) as workspace:
        try:
            info, token = add_peer(
                workspace, name, key.read_bytes(), actor(), url, agency, send_token
            )
        except (ExchangeError, SigningKeyError, OSError, ValueError) as exc:
            fail(str(exc))
    if as_json:
        emit({**info, "inbound_token": token})
    else:
        typer.echo(
            f"pinned {name} {info['fingerprint']}\ninbound token (give it to {name}): {token}"
        )


@peers_app.command("token")
def peers_token(
    name: Annotated[str, typer.Argument(help="The peer's node id.")],
    token: Annotated[str, typer.Argument(help="The token the peer issued you.")],
    home: HomeOption = None,
) -> None:
    """Store the token a peer issued you for its inbox (audited, never printed)."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.peers import set_send_token

    with open_workspace(home) as workspace:
        try:
            set_send_token(workspace, name, token, actor())
        except ExchangeError as exc:
            fail(str(exc))


@peers_app.command("list")
def peers_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Pinned peers: name, agency, fingerprint, URL, status."""
    from grace.exchange.peers import list_peers

    with open_workspace(home) as workspace:
        peers = list_peers(workspace)
    if as_json:
        emit(peers)
        return
    columns = ("name", "agency", "fingerprint", "url", "status")
    print_table(columns, ([p[c] for c in columns] for p in peers))


def _trust_change(name: str, home: Path | None, what: str) -> None:
    from grace.exchange import peers
    from grace.exchange.node import ExchangeError

    change = peers.revoke_peer if what == "revoke" else peers.remove_peer
    with open_workspace(home) as workspace:
        try:
            change(workspace, name, actor())
        except ExchangeError as exc:
            fail(str(exc))
    typer.echo(f"{what}d {name}")


@peers_app.command("revoke")
def peers_revoke(name: Annotated[str, typer.Argument()], home: HomeOption = None) -> None:
    """Revoke a peer: its packages are quarantined from now on (audited)."""
    _trust_change(name, home, "revoke")


@peers_app.command("remove")
def peers_remove(name: Annotated[str, typer.Argument()], home: HomeOption = None) -> None:
    """Forget a peer entirely (audited); its past packages stay in the inbox history."""
    _trust_change(name, home, "remove")


def send(
    agency: Annotated[
        list[str] | None, typer.Option(help="Only referrals for this agency.")
    ] = None,
    referral: Annotated[list[int] | None, typer.Option(help="Only this referral id.")] = None,
    outcomes: Annotated[bool, typer.Option("--outcomes", help="Send outcomes back.")] = False,
    outbox: Annotated[
        Path | None, typer.Option(help="Write packages here (air gap) instead of posting.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send routed referrals (or --outcomes) to peer nodes as signed packages."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.outcomes import send_outcomes
    from grace.exchange.send import send_referrals

    with open_workspace(home) as workspace:
        try:
            if outcomes:
                results = send_outcomes(workspace, actor(), outbox)
            else:
                results = send_referrals(workspace, actor(), agency, referral, outbox)
        except ExchangeError as exc:
            fail(str(exc))
    rows = [r.as_dict() for r in results]
    failed = sum(1 for r in results if r.delivery == "failed")
    if as_json:
        emit({"sent": len(rows) - failed, "failed": failed, "packages": rows})
    else:
        columns = ("peer", "referral_id", "delivery", "receipt_ok", "error")
        print_table(columns, ([r.get(c, "") for c in columns] for r in rows))
    raise typer.Exit(1 if failed else 0)


def receive(
    packages: Annotated[list[Path] | None, typer.Argument(help="Package files.")] = None,
    inbox: Annotated[
        bool, typer.Option("--inbox", help="Receive every package in <home>/exchange/inbox.")
    ] = False,
    no_media: Annotated[
        bool,
        typer.Option("--no-media", help="Store only; hash and match later (grace media process)."),
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify packages against their senders' pinned keys, then ingest (or quarantine).

    The media of the referrals received are then hashed, matched against the banks and
    earlier referrals (and given signals where switched on), routed and scored, as grace
    ingest does; a referral received here is assigned to this node's agency (the sender
    addressed it so), the local routing named in the reason."""
    from grace.exchange.receive import receive as receive_one

    media = settled = None
    with open_workspace(home) as workspace:
        paths = list(packages or [])
        if inbox:
            folder = workspace.home / "exchange" / "inbox"
            paths += sorted(folder.glob("*.zip")) if folder.exists() else []
        if not paths:
            fail("no packages given (name files, or --inbox)")
        receipts = [receive_one(workspace, p.read_bytes(), str(p), actor()) for p in paths]
        if not no_media and any(r["status"] == "ingested" for r in receipts):
            from grace.cli.media_cmd import print_hold_notices, process_media

            media = process_media(workspace, quiet=as_json or not console.is_terminal)
            if not as_json:
                print_hold_notices(media)
        if not no_media and any(r["status"] == "ingested" for r in receipts):
            from grace.exchange.settle import settle_received

            settled = settle_received(workspace, actor())
    if as_json:
        emit(receipts)
    else:
        columns = ("package_id", "status", "referral_id", "reason")
        print_table(columns, ([r.get(c, "") for c in columns] for r in receipts))
        if media is not None:
            console.print(f"media: {media.analysed} analysed, {media.matches} matches")
        if settled is not None:
            console.print(
                f"routed {settled.routed}, {settled.assigned} assigned to this node's agency, "
                f"triage run {settled.triage_run}"
            )
    raise typer.Exit(1 if any(r["status"] == "quarantined" for r in receipts) else 0)


def outcome(
    referral_id: Annotated[int, typer.Argument(help="Referral id (this node's).")],
    kind: Annotated[str, typer.Argument(help="safeguarded_child, arrest_or_search, ...")],
    reason: Annotated[str | None, typer.Option(help="Why (required for not_actionable).")] = None,
    home: HomeOption = None,
) -> None:
    """Record what became of a referral; `grace send --outcomes` reports it to its sender."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.outcomes import record_outcome

    with open_workspace(home) as workspace:
        try:
            record_outcome(workspace, referral_id, kind, reason, actor())
        except ExchangeError as exc:
            fail(str(exc))
    typer.echo(f"referral {referral_id}: {kind}")


@exchange_app.command("history")
def history(
    referral_id: Annotated[int, typer.Argument(help="Referral id.")],
    home: HomeOption = None,
    as_json: JsonOption = True,
) -> None:
    """A referral across nodes: custody, sender's custody, deliveries, outcomes (JSON)."""
    from grace.exchange.history import referral_history

    with open_workspace(home) as workspace, workspace.sessions() as session:
        emit(referral_history(session, referral_id))


@exchange_app.command("outcomes")
def outcomes_stats(home: HomeOption = None, as_json: JsonOption = True) -> None:
    """Outcomes per agency, ESP and incident type, and time to outcome (JSON)."""
    from grace.exchange.outcomes import outcome_stats

    with open_workspace(home) as workspace, workspace.sessions() as session:
        emit(outcome_stats(session))


@exchange_app.command("receipts")
def receipts_cmd(
    files: Annotated[list[Path], typer.Argument(help="JSON from the peer's grace receive --json.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """File signed receipts of air-gapped packages against the outbox (acknowledged)."""
    import json

    from grace.exchange.receipts import file_receipts

    found: list[dict[str, object]] = []
    for path in files:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            fail(f"{path}: not a receipt file ({exc})")
        found.extend(data if isinstance(data, list) else [data])
    if not all(isinstance(r, dict) for r in found):
        fail("a receipt is a JSON object (or a list of them, as grace receive --json prints)")
    with open_workspace(home) as workspace:
        results = file_receipts(workspace, found, actor())
    if as_json:
        emit(results)
    else:
        columns = ("receiver", "status", "referrals", "reason")
        print_table(columns, ([r.get(c, "") for c in columns] for r in results))
    raise typer.Exit(1 if any(r["status"] == "refused" for r in results) else 0)
