"""``grace referrals list|show``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from grace.cli.common import (
    HomeOption,
    JsonOption,
    fail,
    open_workspace,
    piped,
    print_json,
    print_table,
    record_cli_view,
)
from grace.referrals import list_referrals, referral_detail

app = typer.Typer(help="Referrals in the workspace.", no_args_is_help=True)


@app.command("list")
def list_cmd(
    home: HomeOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int | None, typer.Option(help="Show at most this many.")] = None,
) -> None:
    """List referrals, escalated first, newest first. --json prints one JSON array."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        rows = list_referrals(session, limit=limit)
    if as_json:
        print_json(rows)
        return
    columns = (
        "id", "report", "format", "ESP", "incident", "files", "known", "seen", "new", "esc", "warn"
    )  # fmt: skip
    print_table(
        columns,
        (
            (
                row["id"],
                row["external_id"] or "-",
                row["source_format"],
                row["esp_name"] or "-",
                (row["incident_time"] or "-")[:19],
                row["file_count"],
                *_counts(row["media_counts"]),
                "yes" if row["escalated"] else "",
                row["warnings"] or "",
            )
            for row in rows
        ),
    )


@app.command("show")
def show_cmd(
    referral_id: Annotated[int, typer.Argument(help="Referral id (see `grace referrals list`).")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one referral: mapped fields, files with hashes, custody. Recorded in the audit trail."""
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            detail = referral_detail(session, referral_id)
            if detail is None:
                fail(f"no referral with id {referral_id}")
            record_cli_view(session, workspace, "referral", str(referral_id))
        workspace.audit.save_anchor()
    if as_json or piped():  # rich would wrap long values at the pipe's 80 columns
        print_json(detail)
        return
    Console().print_json(data=detail, default=str)


def _counts(counts: dict[str, int]) -> tuple[str, str, str]:
    """Known (banks, incl. viral), seen before (exact or near duplicate), and new files."""
    if not counts:
        return "-", "-", "-"
    known = counts.get("known", 0) + counts.get("viral", 0) + counts.get("suppressed", 0)
    seen = counts.get("duplicate", 0) + counts.get("near_duplicate", 0)
    return str(known), str(seen), str(counts.get("new", 0))
