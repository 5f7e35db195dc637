"""``grace demo``: a workspace full of benign synthetic referrals, ingested and served."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from grace.accounts.demo import ensure_demo_accounts
from grace.banks.repository import BankKind, import_bank
from grace.cli.common import HomeOption, JsonOption, actor, console, print_json
from grace.cli.intel_cmd import run_intel
from grace.cli.media_cmd import process_media
from grace.cli.serve_cmd import HostOption, PortOption, run_server
from grace.cli.triage_cmd import triage_workspace
from grace.demo.generate import DemoSummary
from grace.ingest.pipeline import IngestPipeline
from grace.media.status import media_status_totals
from grace.workspace import Workspace, resolve_home

DEMO_BANK = "demo-known"


def _existing(target: Path) -> DemoSummary | None:
    """The summary of demo data generated earlier into ``target``, if there is any."""
    inputs = target / "input"
    if not inputs.is_dir() or not any(inputs.iterdir()):
        return None
    count = sum(1 for _ in inputs.iterdir())
    return DemoSummary(
        inputs, target / "hashsets" / "known.vics.json", target / "ground-truth.json", count, 0, 0
    )


def demo(
    referrals: Annotated[int, typer.Option(min=1, help="How many referrals to generate.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 1,
    home: HomeOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write generated input. Default: HOME/demo-data.")
    ] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Generate and ingest, then exit.")
    ] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    as_json: JsonOption = False,
) -> None:
    """Generate benign synthetic referrals (all three formats), ingest them, serve the UI.

    The generator also writes a VICS hash set of the "known" media and a ground-truth file
    (variants, truly urgent referrals) beside the input; grace never reads the ground truth.
    """
    from grace.demo import generate

    root = resolve_home(home)
    workspace = Workspace.init(root)
    target = out or root / "demo-data"
    with Progress(console=console, transient=True) as bar:
        summary = _existing(target)
        if summary is not None:  # a re-run: keep the data, re-ingest (idempotent), serve
            console.print(f"using the demo data already in {target} (remove it to regenerate)")
        else:
            task = bar.add_task("generating referrals", total=referrals)
            summary = generate(
                target,
                referrals,
                seed,
                progress=lambda n: bar.update(task, completed=n),
                # the stream ends now: ESP XML is stamped as received when ingested, below
                reference=datetime.now(UTC).replace(microsecond=0),
            )
        import_bank(
            workspace,
            summary.hashset_path.read_bytes(),
            str(summary.hashset_path),
            name=DEMO_BANK,
            kind=BankKind.KNOWN,
            actor=actor(),
        )
        task2 = bar.add_task("ingesting", total=summary.referrals)
        report = IngestPipeline(workspace, actor=actor()).run(
            [summary.input_dir], on_outcome=lambda _o: bar.advance(task2)
        )
    media = process_media(workspace, quiet=as_json)
    intel = run_intel(workspace, quiet=as_json)
    with Progress(console=console, transient=True, disable=as_json) as bar:
        bar.add_task("scoring referrals and creating demo accounts", total=None)
        scored = triage_workspace(workspace)
        accounts = ensure_demo_accounts(workspace)
    with workspace.sessions() as session:
        statuses = media_status_totals(session)
    workspace.close()
    result = {
        "home": str(root),
        "input": str(summary.input_dir),
        "hashset": str(summary.hashset_path),
        "ground_truth": str(summary.ground_truth_path),
        "generated": summary.referrals,
        "ingested": report.count("ingested"),
        "already_present": report.count("already_present"),
        "quarantined": report.count("quarantined"),
        "media_analysed": media.analysed,
        "files_by_status": statuses,
        "routed": intel.agencies,
        "unresolved": intel.unresolved,
        "subjects": intel.subjects,
        "triage_run": scored.run_id,
        "accounts": accounts,
    }
    if as_json:
        print_json(result)
    else:
        console.print(
            f"demo: {result['generated']} referrals generated, {result['ingested']} ingested, "
            f"{result['quarantined']} quarantined; workspace {root}"
        )
        console.print("files: " + ", ".join(f"{n} {s}" for s, n in statuses.items() if n))
        _print_accounts(accounts, host, port)
    if not report.ok:
        raise typer.Exit(1)
    if not no_serve:
        run_server(root, host, port)


def _print_accounts(accounts: list[dict[str, str | None]], host: str, port: int) -> None:
    """Sign-in details for the desk (demo only: real accounts come from grace users add)."""
    table = Table("user", "password", "role", "agency", title="demo accounts")
    for a in accounts:
        password = a["password"] or "(unknown: grace users passwd " + str(a["username"]) + ")"
        table.add_row(a["username"], password, a["role"], a["agency"] or "all")
    console.print(table)
    console.print(f"sign in at http://{host}:{port}/login (e.g. as analyst or europol)")
