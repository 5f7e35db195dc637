"""``grace triage``, ``grace queue``, ``grace decide``: priority with explanations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import select

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
from grace.desk.decisions import DecisionError, add_decision
from grace.learn.params_file import RegistryError
from grace.store.intel_tables import ScoreRow, TriageRun
from grace.store.tables import Referral
from grace.triage.service import SCORERS, RunReport, reproduce, run_triage, train_learned
from grace.workspace import Workspace

LABELS = ("urgent", "actionable", "not_actionable", "needs_information")


def triage_workspace(
    workspace: Workspace, scorer: str = "rules_v1", now: datetime | None = None
) -> RunReport:
    """Score every referral (used by ingest and demo too)."""
    if scorer == "learned_v1":
        train_learned(workspace, now or datetime.now(UTC), actor())
    return run_triage(workspace, scorer, actor(), now)


def triage(
    scorer: Annotated[str, typer.Option(help=f"Scorer: {', '.join(SCORERS)}.")] = "rules_v1",
    now: Annotated[
        str | None, typer.Option(help="Reference time for recency (ISO 8601); default: now.")
    ] = None,
    reproduce_run: Annotated[
        int | None, typer.Option("--reproduce", help="Re-score a past run and compare exactly.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score all referrals: 0-100 and every factor's contribution, recorded as a run.

    rules_v1 reads agency weights from YAML (GRACE_TRIAGE_WEIGHTS or the packaged file);
    learned_v1 trains on analysts' decisions (grace decide) and returned outcomes (grace
    outcome), registers a version in grace learn's registry when they changed, and blends
    with the rules once there are at least 200 labels. --reproduce RUN checks that a past
    ranking comes out the same.
    """
    with open_workspace(home) as workspace:
        if reproduce_run is not None:
            try:
                result = reproduce(workspace, reproduce_run)
            except (ValueError, RegistryError) as exc:
                fail(str(exc))
            print_json(result) if as_json else _print_reproduction(result)
            raise typer.Exit(0 if result["identical"] else 1)
        try:
            when = datetime.fromisoformat(now) if now else None
        except ValueError:
            fail(f"--now {now!r} is not an ISO 8601 time")
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        try:
            report = triage_workspace(workspace, scorer, when)
        except (ValueError, RegistryError) as exc:  # RegistryError: a tampered learned_v1
            fail(str(exc))
    if as_json:
        print_json(report.__dict__)
    else:
        console.print(
            f"run {report.run_id}: {report.referrals} referrals scored with "
            f"{report.scorer} {report.version}"
        )


def queue(
    agency: Annotated[str | None, typer.Option(help="Only this agency's queue.")] = None,
    limit: Annotated[int, typer.Option(help="How many referrals.")] = 25,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Referrals by priority (latest triage run), each with the factors that placed it."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        if agency and not _agency_known(session, agency):
            fail(f"unknown agency {agency!r}: no referral is routed to it", code=2)
        rows = queue_rows(session, agency, limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("queue is empty (run grace triage)")
        return
    print_table(
        ("id", "score", "agency", "country", "why"),
        (
            (
                row["id"],
                f"{row['score']:.1f}",
                row["agency"] or "-",
                row["country"] or "-",
                "; ".join(_why(f) for f in row["factors"][:3]),
            )
            for row in rows
        ),
    )


def _why(factor: dict[str, Any]) -> str:
    """'+30.0 ESP escalated', '-8.0 ...': the sign says which way the factor pushed."""
    return f"{factor['contribution']:+.1f} {factor['explanation']}"


def _agency_known(session: Any, agency: str) -> bool:
    """An agency is known if the routing table or any routed referral names it."""
    if session.scalar(select(Referral.id).where(Referral.agency == agency).limit(1)):
        return True
    import os

    from grace.intel.routing_table import ENV_TABLE, load_routing_table

    table = load_routing_table(os.environ.get(ENV_TABLE) or None)
    return agency in {table.coordinator.id, *(a.id for a in table.agencies)}


def _print_reproduction(result: dict[str, Any]) -> None:
    verdict = "identical" if result["identical"] else "DIFFERENT"
    console.print(
        f"run {result['run']} ({result['scorer']}): {verdict}; {result['referrals']} referrals; "
        f"recorded version {result['recorded_version']}, current {result['current_version']}",
        highlight=False,
    )
    if result["differing"]:
        listed = ", ".join(map(str, result["differing"]))
        console.print(f"scores differ for referrals {listed}", highlight=False)


def queue_rows(session: Any, agency: str | None, limit: int) -> list[dict[str, Any]]:
    """The queue as the CLI, API and UI show it; open referrals only."""
    run_id = session.scalar(select(TriageRun.id).order_by(TriageRun.id.desc()))
    if run_id is None:
        return []
    query = (
        select(Referral, ScoreRow)
        .join(ScoreRow, ScoreRow.referral_id == Referral.id)
        .where(ScoreRow.run_id == run_id, Referral.status == "new")
        .order_by(ScoreRow.score.desc(), Referral.id)
        .limit(limit)
    )
    if agency:
        query = query.where(Referral.agency == agency)
    return [
        {
            "id": r.id,
            "score": s.score,
            "agency": r.agency,
            "country": r.country_of_action,
            "escalated": r.escalated,
            "media_counts": r.media_counts or {},
            "factors": sorted(s.factors, key=lambda f: -abs(f["contribution"])),
        }
        for r, s in session.execute(query)
    ]


def decide(
    referral_id: Annotated[int, typer.Argument(help="Referral id.")],
    label: Annotated[str, typer.Argument(help=f"One of: {', '.join(LABELS)}.")],
    notes: Annotated[str | None, typer.Option(help="Free-text notes.")] = None,
    home: HomeOption = None,
) -> None:
    """Record an analyst's decision (audited); learned_v1 learns from these."""
    if label not in LABELS:
        fail(f"label must be one of {', '.join(LABELS)}")
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            try:
                add_decision(session, actor(), referral_id, label, notes)
            except DecisionError as exc:
                fail(str(exc))
            workspace.audit.append(
                session,
                actor=actor(),
                action="decide",
                object_type="referral",
                object_id=str(referral_id),
                details={"label": label},
            )
        workspace.audit.save_anchor()
    console.print(f"referral {referral_id}: {label}")
