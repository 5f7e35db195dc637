"""``grace export package|verify|vics|queue-csv|key``: material for receiving agencies."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    print_json,
)
from grace.exports import (
    ExportError,
    SigningKeyError,
    build_package,
    load_or_create_signing_key,
    queue_csv,
    verify_package,
    vics_entries,
    write_vics_export,
)
from grace.exports.audit import record_export, trail_recorder
from grace.exports.signing import fingerprint, load_public_key, public_pem
from grace.vault import VaultError

app = typer.Typer(
    help="Signed packages for receiving agencies, VICS 2.0 JSON, queue CSV.", no_args_is_help=True
)
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write here (atomically) instead of stdout.")
]


@app.command("package")
def package(
    referral_ids: Annotated[list[int], typer.Argument(help="Referral ids to include.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Zip to write. Default: kept under HOME/exports/."),
    ] = None,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="Include files already known from hash sets.")
    ] = False,
    file_ids: Annotated[
        list[int] | None, typer.Option("--file-id", help="Only these referral file ids.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Zip referrals and their evidence with a signed manifest (audited).

    By default files categorised by a known hash-set match are left out (the manifest lists
    them); --all-files includes them. Check a package with `grace export verify`.
    """
    with open_workspace(home) as workspace, Progress(console=console, transient=True) as bar:
        task = bar.add_task("exporting evidence", total=None)
        try:
            result = build_package(
                workspace,
                referral_ids,
                actor=actor(),
                out=out,
                all_files=all_files,
                file_ids=file_ids,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except (ExportError, SigningKeyError, VaultError, OSError) as exc:
            fail(str(exc))
    if as_json:
        print_json(result.as_dict())
        return
    console.print(
        f"package {result.package_id}: {len(result.referral_ids)} referrals, {result.files} "
        f"files ({result.excluded} known left out) -> {result.path}\n"
        f"manifest SHA-256 {result.manifest_sha256}, signed by {result.signer_fingerprint}"
    )


@app.command("verify")
def verify(
    package_file: Annotated[Path, typer.Argument(metavar="PACKAGE", help="Package zip.")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The sender's public key (from `grace export key`)."),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the signature and every file's size and hashes; exit 1 with reasons if invalid.

    Needs no workspace (receiving agencies run it): --home is accepted and ignored.
    """
    del home
    pinned = None
    if key is not None:
        try:
            pinned = load_public_key(key.read_bytes())
        except (OSError, SigningKeyError, ValueError) as exc:
            fail(f"--key {key}: {exc}")
    report = verify_package(package_file, pinned)
    if as_json:
        print_json(report.as_dict())
    else:
        for reason in report.reasons:
            console.print(f"[bold red]invalid:[/] {reason}", highlight=False)
        for warning in report.warnings:
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        if report.ok:
            console.print(
                f"valid: {report.members_checked} members match the manifest signed by "
                f"{report.signer_fingerprint}",
                highlight=False,
            )
    raise typer.Exit(0 if report.ok else 1)


@app.command("vics")
def vics(out: OutOption = None, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """VICS 2.0 JSON of every categorised media item (hash sets and analysts), audited.

    With --json (and --out) prints a summary instead of the document.
    """
    with open_workspace(home) as workspace:
        with workspace.sessions() as session:
            entries = vics_entries(session)
        data = write_vics_export(entries)
        digest = record_export(
            workspace, trail_recorder(workspace, actor()), "vics", data, {"media": len(entries)}
        )
    summary = {"media": len(entries), "sha256": digest, "out": str(out) if out else None}
    _emit(data, out, summary, as_json)


@app.command("queue-csv")
def queue_csv_cmd(
    agency: Annotated[str | None, typer.Option(help="Only this agency's queue.")] = None,
    out: OutOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The queue (open referrals by priority, as `grace queue` lists them) as CSV, audited."""
    with open_workspace(home) as workspace:
        with workspace.sessions() as session:
            data = "".join(queue_csv(session, agency)).encode("utf-8")
        rows = data.count(b"\r\n") - 1
        details = {"rows": rows, "agency": agency}
        digest = record_export(
            workspace, trail_recorder(workspace, actor()), "queue_csv", data, details
        )
    _emit(data, out, {"rows": rows, "sha256": digest, "out": str(out) if out else None}, as_json)


@app.command("case")
def case_cmd(
    referral_id: Annotated[int, typer.Argument(help="Referral id.")],
    out: OutOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """A referral as CASE 1.x JSON-LD (action, provenance, files with hashes, accounts,
    custody), audited; `case_validate` (case-utils) checks it."""
    import json

    from grace.exports.case import case_document

    with open_workspace(home) as workspace:
        with workspace.sessions() as session:
            try:
                workspace_id = str(workspace.settings.get("workspace_id"))
                document = case_document(session, referral_id, workspace_id)
            except LookupError as exc:
                fail(str(exc))
        data = (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
        details = {"referral_id": referral_id, "nodes": len(document["@graph"])}
        digest = record_export(workspace, trail_recorder(workspace, actor()), "case", data, details)
    _emit(data, out, {**details, "sha256": digest, "out": str(out) if out else None}, as_json)


@app.command("key")
def key(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Print the workspace's export public key (PEM) for receiving agencies to pin."""
    with open_workspace(home) as workspace:
        try:
            public = load_or_create_signing_key(workspace.home).public_key()
        except SigningKeyError as exc:
            fail(str(exc))
    pem = public_pem(public).decode("ascii")
    if as_json:
        print_json({"algorithm": "Ed25519", "fingerprint": fingerprint(public), "pem": pem})
        return
    sys.stdout.write(pem)
    console.print(f"fingerprint {fingerprint(public)}", highlight=False)


def _emit(data: bytes, out: Path | None, summary: dict[str, object], as_json: bool) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(f"{out}: {exc.strerror or exc}")
    if as_json:
        print_json(summary)
    else:
        console.print(f"wrote {out} ({summary})", highlight=False)
