"""``grace hashset import|list|export``: known-material hash sets (banks)."""

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
        (
            (b["name"], b["kind"], b["scheme"] or "-", b["entries"], b["imports"])
            for b in banks
        ),
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
