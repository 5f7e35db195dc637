"""``grace share``: publish banks to peers as signed versioned deltas, apply or pull
theirs, and vote on their entries (docs/exchange.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grace.cli.common import HomeOption, JsonOption, actor, fail, open_workspace
from grace.cli.common import print_json as emit

share_app = typer.Typer(help="Share banks with peers: signed versioned deltas, votes back.")


@share_app.command("publish")
def share_publish(
    bank: Annotated[str, typer.Argument(help="Bank name (grace hashset list).")],
    out: Annotated[Path | None, typer.Option(help="Also write the delta here.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the bank's next signed version: entries added, removed, recategorised."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.shares import publish

    with open_workspace(home) as workspace:
        try:
            result = publish(workspace, bank, actor(), out).as_dict()
        except ExchangeError as exc:
            fail(str(exc))
    emit(result) if as_json else typer.echo(
        f"{bank} v{result['version']}: {result['status']}, +{result['added']} "
        f"-{result['removed']} ~{result['recategorised']} {result.get('path', '')}"
    )


@share_app.command("apply")
def share_apply(
    files: Annotated[list[Path], typer.Argument(help="Delta files, in version order.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply signed bank deltas from a pinned publisher, in order (a gap is refused)."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.shares import apply

    results = []
    with open_workspace(home) as workspace:
        for path in files:
            try:
                results.append(apply(workspace, path.read_bytes(), actor()).as_dict())
            except (ExchangeError, OSError) as exc:
                fail(f"{path}: {exc}")
    if as_json:
        emit(results)
    for result in [] if as_json else results:
        typer.echo(str(result))


@share_app.command("pull")
def share_pull(
    peer: Annotated[str, typer.Argument(help="The publishing peer.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch and apply every newer bank version a peer published (HTTPS)."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.pull import pull

    with open_workspace(home) as workspace:
        try:
            results = pull(workspace, peer, actor())
        except ExchangeError as exc:
            fail(str(exc))
    if as_json:
        emit(results)
    for result in [] if as_json else results:
        typer.echo(str(result))
    raise typer.Exit(1 if any(r.get("status") == "refused" for r in results) else 0)


@share_app.command("vote")
def share_vote(
    bank: Annotated[str, typer.Argument(help="Subscribed bank, <bank>@<publisher>.")],
    entry: Annotated[str, typer.Argument(help="Entry as kind:hex, e.g. sha256:ab12...")],
    vote: Annotated[str, typer.Argument(help="confirm or dispute")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm or dispute an entry; the vote goes back to the publisher."""
    from grace.exchange.node import ExchangeError
    from grace.exchange.votes import send_vote

    with open_workspace(home) as workspace:
        try:
            result = send_vote(workspace, bank, entry, vote, reason, actor())
        except ExchangeError as exc:
            fail(str(exc))
    if result.delivery == "failed":
        fail(f"vote not delivered: {result.error}")
    emit(result.as_dict()) if as_json else typer.echo(f"{vote} sent to {result.peer}")


@share_app.command("votes")
def share_votes(
    bank: Annotated[str, typer.Argument(help="A bank this node published.")],
    home: HomeOption = None,
    as_json: JsonOption = True,
) -> None:
    """Confirm and dispute counts per entry of a bank you published (JSON)."""
    from grace.exchange.votes import vote_counts

    with open_workspace(home) as workspace:
        emit(vote_counts(workspace, bank))
