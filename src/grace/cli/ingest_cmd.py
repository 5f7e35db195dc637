"""``grace ingest``: take referral files, folders and zip bundles into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from grace.cli.common import HomeOption, JsonOption, actor, console, open_workspace, print_json
from grace.ingest.pipeline import IngestPipeline, IngestReport, Outcome
from grace.ingest.xsd import ENV_VAR as XSD_VAR
from grace.ingest.xsd import find_xsd


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or zip bundles.")],
    home: HomeOption = None,
    no_media: Annotated[
        bool,
        typer.Option(
            "--no-media",
            help="Store only; analyse later (grace media process, grace route, grace triage).",
        ),
    ] = False,
    as_json: JsonOption = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            envvar="GRACE_CLUSTER",
            help="tls://HOST:PORT: media and intelligence stages on this Dask cluster "
            "(PostgreSQL workspaces; see docs/cluster.md).",
        ),
    ] = None,
    cluster_certs: Annotated[
        Path | None,
        typer.Option(
            envvar="GRACE_CLUSTER_CERTS",
            help="Folder with ca.pem and client.pem/.key (default: HOME/cluster-certs).",
        ),
    ] = None,
    worker_timeout: Annotated[
        float,
        typer.Option(
            envvar="GRACE_CLUSTER_WORKER_TIMEOUT",
            help="With --cluster: give up after this many seconds with no live worker "
            "(what finished is stored; a re-run does the rest).",
        ),
    ] = 60.0,
) -> None:
    """Ingest referrals (NCMEC ESP XML, NCMEC police JSON, grace JSON), sniffing each format.

    Media are then hashed and matched against the banks and earlier referrals. Bad input
    is quarantined with a one-line reason and never stops the batch; the exit status is 1
    if anything was quarantined. With --json, one JSON line per outcome, then a summary.
    """
    notices = schema_notices()
    if not as_json:
        for notice in notices:
            console.print(f"[yellow]notice:[/] {notice}", highlight=False)
    with open_workspace(home) as workspace:
        if cluster and not no_media:
            from grace.cli import cluster_ingest  # imports Dask only when a cluster is named

            cluster_certs = cluster_ingest.check(workspace, cluster_certs)
        pipeline = IngestPipeline(workspace, actor=actor())
        if as_json:
            report = pipeline.run(paths, on_outcome=lambda o: print_json(o.as_dict()))
        else:
            report = _run_with_progress(pipeline, paths)
        media = intel = scored = None
        if not no_media:
            # imported here: media analysis loads numba and the image/video decoders
            from grace.cli.intel_cmd import run_intel
            from grace.cli.media_cmd import process_media
            from grace.cli.triage_cmd import triage_workspace

            quiet = as_json or not console.is_terminal  # no bar residue in logs and pipes
            if cluster and cluster_certs:
                media, intel = cluster_ingest.run(
                    workspace, cluster, cluster_certs, quiet, worker_timeout
                )
            else:
                media = process_media(workspace, quiet=quiet)
                intel = run_intel(workspace, quiet=quiet)
            changed = report.count("ingested") or media.analysed or intel.referrals
            # a run that changed nothing (only bad or known input) records no triage run
            scored = triage_workspace(workspace) if changed else None
    if as_json:
        summary = {
            "ingested": report.count("ingested"),
            "already_present": report.count("already_present"),
            "quarantined": report.count("quarantined"),
            "media": media.__dict__ if media else None,
            "triage_run": scored.run_id if scored else None,
            "notices": notices,
        }
        print_json({"summary": summary})
    else:
        console.print(
            f"ingested {report.count('ingested')}, "
            f"already present {report.count('already_present')}, "
            f"quarantined {report.count('quarantined')}"
        )
        if media:
            from grace.cli.media_cmd import print_hold_notices

            print_hold_notices(media)
            console.print(f"media: {media.analysed} analysed, {media.matches} matches")
        if intel and scored:
            console.print(
                f"routed {intel.referrals} ({intel.unresolved} unresolved), "
                f"{intel.links} links, {intel.subjects} subjects; "
                f"triage run {scored.run_id} ({scored.version})"
            )
        elif intel:
            console.print("nothing new to route or score: no triage run recorded")
    raise typer.Exit(0 if report.ok else 1)


def schema_notices() -> list[str]:
    """One line when ESP XML cannot be schema-checked, so nobody assumes it was."""
    if find_xsd() is not None:
        return []
    return [
        "ESP XML is not schema-checked in this run: no NCMEC XSD found "
        f"(set {XSD_VAR} to NCMEC's cyber_tipline.xsd)"
    ]


def _run_with_progress(pipeline: IngestPipeline, paths: list[Path]) -> IngestReport:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        task = progress.add_task("ingesting", total=None)

        def show(outcome: Outcome) -> None:
            progress.advance(task)
            progress.update(task, description=f"ingesting: {len(report_seen) + 1} inputs")
            report_seen.append(outcome)
            if outcome.status == "quarantined":
                progress.console.print(
                    f"[red]error:[/] {outcome.source}: {outcome.reason}", highlight=False
                )

        report_seen: list[Outcome] = []
        return pipeline.run(paths, on_outcome=show)
