"""``grace route``, ``grace links``, ``grace subjects``, ``grace stats``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import select

from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    piped,
    print_json,
    print_table,
)
from grace.intel.links import links_of
from grace.intel.service import IntelProcessor, IntelReport
from grace.intel.subjects import judge, recompute_subjects, subjects
from grace.stats import workspace_stats
from grace.store.tables import Referral
from grace.workspace import Workspace

subjects_app = typer.Typer(
    help="Subjects: referrals clustered as one person or account.", invoke_without_command=True
)


def run_intel(workspace: Workspace, quiet: bool = False) -> IntelReport:
    """Identifiers, routing, links and subjects for referrals not yet analysed."""
    with Progress(console=console, transient=True, disable=quiet or not console.is_terminal) as bar:
        task = bar.add_task("identifiers and routing", total=None)
        return IntelProcessor(workspace, actor()).run(
            lambda done, total: bar.update(task, completed=done, total=total)
        )


def route(
    home: HomeOption = None,
    as_json: JsonOption = False,
    show: Annotated[int, typer.Option(help="Also list this many routed referrals.")] = 0,
) -> None:
    """Country of action and agency for every referral not yet routed (then links, subjects).

    Evidence: IP geolocation (offline; GRACE_GEOIP_MMDB for a newer database), phone-number
    country, the ESP's estimatedLocation; NCMEC pseudo-codes (A1, A2, O1, AP, EU) count as
    unresolved. The routing table is GRACE_ROUTING_TABLE (YAML) or the packaged sample.
    """
    with open_workspace(home) as workspace:
        report = run_intel(workspace, quiet=as_json)
        with workspace.sessions() as session:
            rows = session.execute(
                select(Referral.id, Referral.agency, Referral.country_of_action, Referral.routing)
                .order_by(Referral.id)
                .limit(show)
            ).all()
    routed = [
        {
            "referral": r,
            "agency": a,
            "country": c,
            "confidence": (d or {}).get("confidence"),
            "reason": (d or {}).get("reason"),
        }
        for r, a, c, d in rows
    ]
    if as_json:
        print_json({"report": report.__dict__, "referrals": routed})
        return
    if report.referrals == 0:
        console.print("nothing to route: every referral has been routed already")
    else:
        console.print(
            f"routed {report.referrals} referrals ({report.unresolved} unresolved, to the "
            f"coordinator); {report.identifiers} identifiers, {report.links} links, "
            f"{report.subjects} subjects"
        )
        print_table(("agency", "referrals"), report.agencies.items())
    if routed:
        print_table(
            ("referral", "agency", "country", "confidence", "reason"),
            (
                (r["referral"], r["agency"], r["country"] or "-", r["confidence"], r["reason"])
                for r in routed
            ),
        )


def links(
    referral_id: Annotated[int, typer.Argument(help="Referral id.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Referrals linked to this one: what they share, and how strong the link is."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        if session.get(Referral, referral_id) is None:
            fail(f"no referral with id {referral_id}")
        found = links_of(session, referral_id)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no links")
        return
    print_table(
        ("referral", "strength", "kind", "reason"),
        ((x["referral"], x["strength"], x["kind"], x["reason"]) for x in found),
    )


@subjects_app.callback()
def subjects_cmd(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """List subjects (clusters of two or more referrals) with the reasons that formed them."""
    if ctx.invoked_subcommand is not None:
        return
    with open_workspace(home) as workspace, workspace.sessions() as session:
        found = subjects(session)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no subjects with more than one referral")
        return
    whole = piped()  # a script gets every referral and reason; a terminal the first few
    print_table(
        ("subject", "size", "referrals", "why"),
        (
            (
                s["subject"],
                s["size"],
                ", ".join(map(str, s["referrals"] if whole else s["referrals"][:12])),
                "; ".join(s["reasons"] if whole else s["reasons"][:2]),
            )
            for s in found
        ),
    )


@subjects_app.command("separate")
def separate_cmd(
    a: Annotated[int, typer.Argument(help="A referral id.")],
    b: Annotated[int, typer.Argument(help="Another referral id.")],
    reason: Annotated[str, typer.Option(help="Why they are not the same subject.")],
    home: HomeOption = None,
) -> None:
    """Record that two referrals are NOT the same subject (undoes an automatic merge)."""
    _judge(home, a, b, "separate", reason)


@subjects_app.command("merge")
def merge_cmd(
    a: Annotated[int, typer.Argument(help="A referral id.")],
    b: Annotated[int, typer.Argument(help="Another referral id.")],
    reason: Annotated[str, typer.Option(help="Why they are the same subject.")],
    home: HomeOption = None,
) -> None:
    """Record that two referrals ARE the same subject."""
    _judge(home, a, b, "merge", reason)


def _judge(home: Path | None, a: int, b: int, verdict: str, reason: str) -> None:
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            for ident in (a, b):
                if session.get(Referral, ident) is None:
                    fail(f"no referral with id {ident}")
            judge(session, a, b, verdict, reason, actor())
            recompute_subjects(session)
            workspace.audit.append(
                session,
                actor=actor(),
                action=f"subject_{verdict}",
                object_type="referral_pair",
                object_id=f"{a}-{b}",
                details={"reason": reason},
            )
        workspace.audit.save_anchor()
    console.print(f"recorded: referrals {a} and {b} {verdict}d")


def stats(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Referrals and files by week, ESP, incident type, country and agency; media novelty;
    queue sizes and ages."""
    from grace.exchange.outcomes import outcome_stats

    with open_workspace(home) as workspace, workspace.sessions() as session:
        found = workspace_stats(session)
        found["outcomes"] = outcome_stats(session)  # reported back by peer nodes (exchange)
    if as_json:
        print_json(found)
        return
    print(
        f"{found['referrals']} referrals, {found['files']} files, {found['escalated']} escalated"
    )
    print_table(
        ("week", "referrals", "files"),
        ((w, c.get("referrals", 0), c.get("files", 0)) for w, c in found["by_week"].items()),
    )
    for key in ("by_agency", "by_country", "by_esp", "by_incident_type"):
        items = list(found[key].items())
        print_table((key.removeprefix("by_").replace("_", " "), "referrals"), items[:12])
        if len(items) > 12:
            print(f"... and {len(items) - 12} more (grace stats --json lists all)")
    if found["outcomes"]["total"]:
        print(f"outcomes: {found['outcomes']['total']} (grace stats --json: per agency, ESP)")
    shares = ", ".join(f"{k} {v:.0%}" for k, v in found["media_share"].items())
    print(f"media: {shares or 'not processed'}")
    print_table(
        ("queue", "open", "oldest (days)", "median age (days)"),
        (
            (agency, q["open"], q["oldest_days"], q["median_age_days"])
            for agency, q in found["queues"].items()
        ),
    )
