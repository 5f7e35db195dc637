"""``grace media process|show``: analysis, matches and duplicate groups of media items."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

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
from grace.media.process import MediaProcessor, ProcessReport
from grace.store.media_tables import BankEntry, HashBank, Media, MediaMatch
from grace.store.tables import ReferralFile
from grace.workspace import Workspace

app = typer.Typer(help="Media items: analysis, matches, duplicate groups.", no_args_is_help=True)


def process_media(workspace: Workspace, quiet: bool = False) -> ProcessReport:
    """Analyse and match every media item not yet processed (used by ingest and demo too)."""
    with Progress(console=console, transient=True, disable=quiet or not console.is_terminal) as bar:
        task = bar.add_task("hashing and matching media", total=None)
        report = MediaProcessor(workspace, actor()).run(
            lambda done, total: bar.update(task, completed=done, total=total)
        )
    return report


@app.command("process")
def process_cmd(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Hash (PDQ/vPDQ), match and group media that ingest stored but has not processed."""
    with open_workspace(home) as workspace:
        report = process_media(workspace, quiet=as_json)
    if as_json:
        print_json(report.__dict__)
    else:
        for error in report.errors:
            console.print(f"[yellow]unreadable:[/] {error}", highlight=False)
        print_hold_notices(report)
        console.print(
            f"media: {report.analysed} analysed, {report.matches} matches, "
            f"{report.referrals} referrals updated"
            + (f", {report.held} held (entry on hold)" if report.held else "")
        )


def print_hold_notices(report: ProcessReport) -> None:
    """One line per bank entry newly held from alerting (a flood of matches)."""
    for notice in report.notices:
        console.print(f"[yellow]notice:[/] {notice}", highlight=False)


@app.command("show")
def show_cmd(
    media: Annotated[str, typer.Argument(help="Media id, or a SHA-256 (or its first 12+ hex).")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """One media item: analysis (no pixels), matches, its duplicate group and referrals."""
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            item = _find(session, media)
            detail = media_detail(session, item)
            record_cli_view(session, workspace, "media", str(item.id))
        workspace.audit.save_anchor()
    if as_json:
        print_json(detail)
    else:
        Console().print_json(data=detail, default=str)


def _find(session: Session, key: str) -> Media:
    if key.isdigit():
        found = session.get(Media, int(key))
    elif len(key) >= 12:
        found = session.scalars(select(Media).where(Media.sha256.startswith(key.lower()))).first()
    else:
        found = None
    if found is None:
        fail(f"no media item {key!r} (give an id or at least 12 hex of its SHA-256)")
    return found


def media_detail(session: Session, item: Media) -> dict[str, Any]:
    """Everything known about a media item, shared by the CLI and the web API."""
    group = (
        list(
            session.scalars(select(Media).where(Media.group_id == item.group_id).order_by(Media.id))
        )
        if item.group_id
        else [item]
    )
    matches = session.execute(
        select(MediaMatch, BankEntry, HashBank)
        .outerjoin(BankEntry, BankEntry.id == MediaMatch.bank_entry_id)
        .outerjoin(HashBank, HashBank.id == BankEntry.bank_id)
        .where(or_(MediaMatch.media_id == item.id, MediaMatch.other_media_id == item.id))
    ).all()
    files = session.execute(
        select(ReferralFile.referral_id, ReferralFile.media_status)
        .where(ReferralFile.sha256 == item.sha256)
        .order_by(ReferralFile.referral_id)
    ).all()
    return {
        "id": item.id,
        "sha256": item.sha256,
        "kind": item.kind,
        "mime": item.mime,
        "width": item.width,
        "height": item.height,
        "pdq": item.pdq,
        "pdq_quality": item.pdq_quality,
        "status": item.status,
        "error": item.error,
        "gps": {"lat": item.gps_lat, "lon": item.gps_lon} if item.gps_lat is not None else None,
        "analysis": item.data,
        "group": {
            "id": item.group_id or item.id,
            "size": len(group),
            "members": [{"id": m.id, "sha256": m.sha256, "pdq": m.pdq} for m in group],
        },
        "matches": [_match_row(m, e, b, item.id) for m, e, b in matches],
        "referrals": [{"referral_id": r, "status": s} for r, s in files],
    }


def _match_row(
    m: MediaMatch, entry: BankEntry | None, bank: HashBank | None, me: int
) -> dict[str, Any]:
    row: dict[str, Any] = {"method": m.method, "distance": m.distance}
    if m.share is not None:
        row["share"] = m.share
    if bank is not None and entry is not None:
        row |= {
            "bank": bank.name,
            "bank_kind": bank.kind,
            "entry_id": entry.id,
            "category": {"scheme": entry.category_scheme, "code": entry.category_code},
        }
    else:
        row["media_id"] = m.other_media_id if m.media_id == me else m.media_id
    return row
