"""``grace signals run|show``: model signals of media items and referral text."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select

from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    print_json,
    record_cli_view,
)
from grace.store.signal_tables import MediaSignal

app = typer.Typer(
    help="Model signals: explicit-content score, faces and ages, embeddings.", no_args_is_help=True
)


@app.command("run")
def run_cmd(
    home: HomeOption = None,
    as_json: JsonOption = False,
    workers: Annotated[
        int, typer.Option(help="Worker processes for media (each loads the models).")
    ] = 1,
    media: Annotated[bool, typer.Option("--media/--no-media", help="Analyse media items.")] = True,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Analyse referral text.")] = True,
) -> None:
    """Compute signals for every media item and referral that has none yet."""
    from grace.signals.base import ModelUnavailable
    from grace.signals.run import SignalRunner

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with (
        open_workspace(home) as workspace,
        Progress(*columns, console=console, transient=True, disable=as_json) as bar,
    ):
        tasks = {
            "media": bar.add_task("media signals", total=None),
            "text": bar.add_task("text signals", total=None),
        }

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        try:
            report = SignalRunner(workspace, actor(), workers=workers).run(progress, media, text)
        except ModelUnavailable as exc:
            fail(f"model unavailable: {exc}")
    record = {**report.__dict__, "images_per_second": report.images_per_second}
    if as_json:
        print_json(record)
        return
    for error in report.errors:
        console.print(f"[yellow]unreadable:[/] {error}", highlight=False)
    console.print(
        f"signals: {report.media} media items ({report.images_per_second} a second), "
        f"{report.referrals} referrals, {len(report.errors)} unreadable"
    )


@app.command("show")
def show_cmd(
    sha256: Annotated[str, typer.Argument(help="A media item's SHA-256 (or its first 12+ hex).")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """One media item's signals: score, faces with age estimates, models (no pixels)."""
    from grace.signals.store import signal_record

    prefix = sha256.strip().lower()
    if len(prefix) < 12:
        fail("give at least 12 hex characters of the SHA-256")
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            rows = list(
                session.scalars(
                    select(MediaSignal).where(MediaSignal.sha256.startswith(prefix)).limit(2)
                )
            )
            if len(rows) != 1:
                fail(f"no signals for {prefix}" if not rows else f"{prefix} is ambiguous")
            record = signal_record(rows[0])
            record_cli_view(session, workspace, "media_signals", rows[0].sha256)
        workspace.audit.save_anchor()
    if as_json:
        print_json(record)
    else:
        _print(record)


def _print(record: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None)
    for key in (
        "sha256",
        "kind",
        "nsfw_score",
        "face_count",
        "youngest_age",
        "youngest_age_sd",
        "frames",
        "embedding_model",
        "embedding_dim",
        "error",
        "computed_at",
    ):
        table.add_row(key, "" if record[key] is None else str(record[key]))
    table.add_row("models", ", ".join(f"{k} {v}" for k, v in record["models"].items()))
    out = Console()
    out.print(table)
    for face in record["faces"]:
        at = f" at {face['time']}s" if face.get("time") is not None else ""
        out.print(
            f"  face {face['box']}{at}: age {face['age']} ± {face['age_sd']} "
            f"(p<18 {face['p_under_18']}, detector {face['score']})",
            highlight=False,
        )
