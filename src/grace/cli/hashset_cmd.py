"""``grace hashset``: known-material hash sets (banks): import, list, export; votes on
entries; holds (disputed or flooding entries stop alerting), their review and guard."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from grace.banks import BankFormatError
from grace.banks.repository import BankError, BankKind, export_bank, import_bank, list_banks
from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    print_json,
    print_table,
)

app = typer.Typer(
    help="Hash sets (banks): Project VIC / CAID VICS JSON, CSV, PDQ lists.", no_args_is_help=True
)


@app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="VICS 1.x/2.0 JSON, CSV with a hash header, or a PDQ list.")
    ],
    name: Annotated[str, typer.Option("--name", help="Bank to import into (created if new).")],
    kind: Annotated[
        BankKind | None,
        typer.Option(
            help="known (default for a new bank), viral (lowers priority) or "
            "suppression (known benign, never alert)."
        ),
    ] = None,
    scheme: Annotated[
        str | None, typer.Option(help="Category scheme: projectvic-us (default) or caid-uk.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a hash-set file; the format is detected from the content."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    with open_workspace(home) as workspace:
        try:
            result = import_bank(
                workspace, data, str(file), name=name, kind=kind, scheme=scheme, actor=actor()
            )
        except (BankFormatError, BankError) as exc:
            fail(str(exc))
    if as_json:
        print_json(result.__dict__)
        return
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if result.already_imported:
        console.print(f"{file} was already imported into bank {name}: nothing changed")
    else:
        console.print(
            f"imported {result.entries} entries ({result.format}) into {result.kind} bank {name}"
        )


@app.command("list")
def list_cmd(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """List banks with their kind and entry counts."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        banks = list_banks(session)
    if as_json:
        print_json(banks)
        return
    print_table(
        ("name", "kind", "scheme", "entries", "imports"),
        ((b["name"], b["kind"], b["scheme"] or "-", b["entries"], b["imports"]) for b in banks),
    )


@app.command("export")
def export_cmd(
    name: Annotated[str, typer.Argument(help="Bank name.")],
    fmt: Annotated[
        str, typer.Option("--format", help="vics (VICS 2.0 JSON), csv or pdq.")
    ] = "vics",
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    home: HomeOption = None,
) -> None:
    """Export a bank; importing the export gives the same entries back."""
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            try:
                data = export_bank(session, name, fmt)
            except BankError as exc:
                fail(str(exc))
            workspace.audit.append(
                session,
                actor=actor(),
                action="hashset_export",
                object_type="bank",
                object_id=name,
                details={"format": fmt, "out": str(out or "-")},
            )
        workspace.audit.save_anchor()
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        console.print(f"wrote {out}")


@app.command("vote")
def vote_cmd(
    entry: Annotated[str, typer.Argument(help="Entry id (grace match shows it), or kind:hex.")],
    vote: Annotated[str, typer.Argument(help="confirm or dispute")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    bank: Annotated[str | None, typer.Option(help="The bank, when kind:hex is in several.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm or dispute a bank entry; a shared bank's publisher gets the vote back."""
    from grace.banks.review import ReviewError
    from grace.exchange.node import ExchangeError
    from grace.exchange.votes import vote_entry

    with open_workspace(home) as workspace:
        try:
            result = vote_entry(workspace, entry, vote, reason, actor(), bank)
        except (ReviewError, ExchangeError) as exc:
            fail(str(exc))
    sent = result.get("sent") or {}
    if sent.get("delivery") == "failed":
        fail(f"vote kept here, not delivered to the publisher: {sent.get('error')}")
    if as_json:
        print_json(result)
        return
    where = f", sent to {sent['peer']} ({sent['delivery']})" if sent else ""
    console.print(f"{vote} on entry {result['entry_id']} of {result['bank']}{where}")
    for detail in result["held_here"]:
        console.print(f"[yellow]notice:[/] held here: {detail}", highlight=False)


@app.command("holds")
def holds_cmd(
    every: Annotated[bool, typer.Option("--all", help="Reviewed holds too.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Entries held from alerting (disputed, flooding) and the matches kept under them."""
    from grace.banks.review import list_holds

    with open_workspace(home) as workspace, workspace.sessions() as session:
        holds = list_holds(session, every)
    if as_json:
        print_json(holds)
        return
    columns = ("entry_id", "bank", "reason", "status", "held_matches", "detail")
    print_table(columns, ([h[c] for c in columns] for h in holds))


@app.command("review")
def review_cmd(
    entry: Annotated[str, typer.Argument(help="Held entry: id, or kind:hex.")],
    reinstate: Annotated[
        bool, typer.Option("--reinstate", help="It is right: alert again, held matches too.")
    ] = False,
    remove: Annotated[
        bool, typer.Option("--remove", help="It is wrong: never alert (publish withdraws it).")
    ] = False,
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Review a held entry: reinstate it or remove it (audited)."""
    from grace.banks.review import ReviewError, review

    if reinstate == remove:
        fail("give exactly one of --reinstate and --remove")
    with open_workspace(home) as workspace:
        try:
            result = review(workspace, entry, "reinstate" if reinstate else "remove", note, actor())
        except ReviewError as exc:
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    console.print(
        f"entry {result['entry_id']}: {result['status']}, "
        f"{result['released_items']} held matches released"
    )


@app.command("guard")
def guard_cmd(
    bank: Annotated[str, typer.Argument(help="Bank name.")],
    disputes: Annotated[
        int | None, typer.Option(help="Disputes from distinct nodes that hold an entry.")
    ] = None,
    flood: Annotated[
        int | None, typer.Option(help="Items an entry may match in the window before held.")
    ] = None,
    window_hours: Annotated[int | None, typer.Option(help="The flood window.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show or set a bank's dispute threshold and flood guard (defaults 3; 1,000 a day)."""
    from grace.banks.review import ReviewError, set_guard

    changes = {"dispute_threshold": disputes, "flood_limit": flood}
    changes["flood_window_hours"] = window_hours
    with open_workspace(home) as workspace:
        try:
            result = set_guard(workspace, bank, changes, actor())
        except ReviewError as exc:
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    console.print(
        f"{bank}: held after {result['dispute_threshold']} disputes; flood guard "
        f"{result['flood_limit']} items in {result['flood_window_hours']} h"
    )
