"""``grace deconflict``: switch deconfliction on, sync tokens, read alerts, count overlaps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from grace.cli.common import HomeOption, JsonOption, actor, console, fail, open_workspace
from grace.cli.common import print_json as emit

app = typer.Typer(help="Deconfliction without disclosure (OPRF tokens, alerts, overlaps).")
coordinator_app = typer.Typer(help="Run this workspace as the deconfliction coordinator.")
nodes_app = typer.Typer(help="Pin, list and revoke the nodes (agencies, peers) you trust.")
app.add_typer(coordinator_app, name="coordinator")
app.add_typer(nodes_app, name="nodes")


@app.command("key")
def key(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Print this workspace's node key: give it to the coordinator to pin."""
    from grace.deconflict.sync import node_key

    with open_workspace(home) as workspace:
        info = node_key(workspace)
    if as_json:
        emit(info)
    else:
        typer.echo(f"{info['public_key']}\n{info['fingerprint']}")


@coordinator_app.command("init")
def coordinator_init(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Create the OPRF key (epoch 1) and serve the deconfliction endpoints with `grace serve`."""
    from grace.deconflict.coordinator import setup

    with open_workspace(home) as workspace:
        info = setup(workspace, actor())
    emit(info) if as_json else typer.echo(f"epoch {info['epoch']} key {info['public_key']}")


@coordinator_app.command("show")
def coordinator_show(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Print the current epoch and OPRF public key (nodes compare it on join)."""
    from grace.deconflict.coordinator import CoordinatorError, config

    with open_workspace(home) as workspace:
        try:
            info = config(workspace)
        except CoordinatorError as exc:
            fail(str(exc))
    emit(info) if as_json else typer.echo(f"epoch {info['epoch']} key {info['public_key']}")


@coordinator_app.command("rotate")
def coordinator_rotate(home: HomeOption = None) -> None:
    """Start a new key epoch; nodes re-sync on their next `grace deconflict sync`."""
    from grace.deconflict.coordinator import rotate

    with open_workspace(home) as workspace:
        typer.echo(f"epoch {rotate(workspace, actor())}")


@nodes_app.command("add")
def nodes_add(
    name: Annotated[str, typer.Argument(help="Node name, e.g. nl-police.")],
    key_text: Annotated[str, typer.Option("--key", help="Public key: a file, or hex/base64.")],
    url: Annotated[str | None, typer.Option(help="The node's URL (for overlap counts).")] = None,
    rate: Annotated[int, typer.Option(help="Evaluations allowed per hour.")] = 200_000,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pin a node's Ed25519 public key under a name (audited)."""
    from grace.deconflict.nodes import NodeError, add_node
    from grace.exports.signing import SigningKeyError

    data = Path(key_text).read_bytes() if Path(key_text).is_file() else key_text.encode()
    with open_workspace(home) as workspace:
        try:
            info = add_node(workspace, name, data, actor(), url, rate)
        except (NodeError, SigningKeyError, ValueError) as exc:
            fail(str(exc))
    emit(info) if as_json else typer.echo(f"pinned {name} {info['fingerprint']}")


@nodes_app.command("list")
def nodes_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """The pinned nodes, their status and rate limits."""
    from grace.deconflict.nodes import list_nodes

    with open_workspace(home) as workspace:
        rows = list_nodes(workspace)
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['name']}\t{row['status']}\t{row['rate_per_hour']}/h\t{row['fingerprint']}"
        )


@nodes_app.command("revoke")
def nodes_revoke(name: str, home: HomeOption = None) -> None:
    """Revoke a node: its requests are refused and its tokens stop matching (audited)."""
    from grace.deconflict.nodes import NodeError, revoke_node

    with open_workspace(home) as workspace:
        try:
            gone = revoke_node(workspace, name, actor())
        except NodeError as exc:
            fail(str(exc))
    typer.echo(f"revoked {name}; {gone} tokens removed")


@app.command("join")
def join(
    url: Annotated[str, typer.Argument(help="The coordinator's grace URL.")],
    node: Annotated[str, typer.Option("--as", help="This node's name at the coordinator.")],
    retention_days: Annotated[
        int, typer.Option(help="Tokens expire this long after receipt.")
    ] = 730,
    second_evaluator: Annotated[
        str | None,
        typer.Option(
            "--second-evaluator",
            help="URL of a second evaluator holding the other half of a split key "
            "(every agency must name the same one).",
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Switch deconfliction on for this agency: pin the coordinator's OPRF key."""
    from grace.deconflict.client import TransportError
    from grace.deconflict.sync import join as do_join

    with open_workspace(home) as workspace:
        try:
            info = do_join(workspace, url, node, retention_days, second_evaluator)
        except (TransportError, KeyError) as exc:
            fail(f"cannot join {url}: {exc}")
    emit(info) if as_json else typer.echo(
        f"joined as {node}; epoch {info['epoch']} key {info['public_key']}"
    )


@app.command("sync")
def sync(
    batch: Annotated[int, typer.Option(min=1, max=8192, help="Tokens per request.")] = 2000,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Upload tokens of referrals not yet synced this epoch, then fetch alerts."""
    from grace.deconflict.client import TransportError
    from grace.deconflict.node import NodeSetupError
    from grace.deconflict.oprf import OprfError
    from grace.deconflict.sync import sync as do_sync

    with open_workspace(home) as workspace, Progress(console=console, transient=True) as bar:
        task = bar.add_task("deconflict sync", total=None)
        try:
            report = do_sync(
                workspace, batch, lambda done, total: bar.update(task, completed=done, total=total)
            )
        except (NodeSetupError, TransportError, OprfError) as exc:
            fail(str(exc))
    data = {k: v for k, v in report.__dict__.items() if k != "timings"}
    emit(data) if as_json else typer.echo(
        f"epoch {report.epoch}: {report.referrals} referrals, {report.tokens} tokens, "
        f"{report.alerts} new matches, {report.notices} new notices"
    )


@app.command("alerts")
def alerts(
    offline: Annotated[bool, typer.Option(help="Do not ask the coordinator first.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Notices that another agency holds one of your referrals' identifiers (kind only)."""
    from grace.deconflict.client import Caller, TransportError
    from grace.deconflict.node import NodeSettings, NodeSetupError
    from grace.deconflict.sync import pull_alerts, read_notices

    with open_workspace(home) as workspace:
        try:
            if not offline:
                settings = NodeSettings.load(workspace.home)
                with Caller(workspace, settings.node, settings.url) as caller:
                    pull_alerts(workspace, caller, settings)
        except (NodeSetupError, TransportError) as exc:
            fail(str(exc))
        notices = read_notices(workspace)
    if as_json:
        emit(notices)
        return
    for item in notices:
        typer.echo(item["text"])
    if not notices:
        typer.echo("no deconfliction notices")


@app.command("withdraw")
def withdraw(
    referral_ids: Annotated[list[int], typer.Argument(help="Referral ids to withdraw.")],
    home: HomeOption = None,
) -> None:
    """Withdraw referrals' tokens from the coordinator's index."""
    from grace.deconflict.client import TransportError
    from grace.deconflict.node import NodeSetupError
    from grace.deconflict.sync import withdraw as do_withdraw

    with open_workspace(home) as workspace:
        try:
            gone = do_withdraw(workspace, referral_ids)
        except (NodeSetupError, TransportError) as exc:
            fail(str(exc))
    typer.echo(f"withdrew {len(referral_ids)} referrals ({gone} tokens removed)")


@app.command("overlap")
def overlap(
    peer: Annotated[str, typer.Argument(help="A pinned peer node (nodes add --url).")],
    node: Annotated[str | None, typer.Option("--as", help="Your name at the peer.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count the identifiers you share with PEER, and nothing else (PSI cardinality)."""
    from grace.deconflict.client import TransportError
    from grace.deconflict.node import NodeSettings, NodeSetupError
    from grace.deconflict.nodes import NodeError, find_node
    from grace.deconflict.overlap import OverlapError, count_overlap

    with open_workspace(home) as workspace:
        try:
            me = node or NodeSettings.load(workspace.home).node
            with workspace.sessions() as session:
                row = find_node(session, peer)
            result = count_overlap(workspace, me, row)
        except (NodeSetupError, NodeError, OverlapError, TransportError) as exc:
            fail(str(exc))
    emit(result) if as_json else typer.echo(
        f"you share {result['shared']} identifiers with {peer} (you hold {result['mine']})"
    )
