"""The dashboard: ``grace stats`` of the referrals the user may see, as server-rendered SVG
charts (no chart library, no JavaScript), and the outcomes the acting agencies reported
back through the exchange (per agency, ESP and incident type; median time to outcome)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from grace.exchange.outcomes import OUTCOMES, outcome_stats
from grace.stats import workspace_stats
from grace.web.auth import Principal, current_principal, referral_scope
from grace.web.deps import get_workspace
from grace.web.pages.render import render
from grace.workspace import Workspace

router = APIRouter()
MAX_BARS = 12
MAX_WEEKS = 26


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> HTMLResponse:
    with workspace.sessions() as session:
        stats = workspace_stats(session, scope=referral_scope(principal))
        outcomes = outcome_stats(session, referral_scope(principal))
    context = {
        "principal": principal,
        "stats": stats,
        "charts": charts(stats),
        "outcomes": outcomes,
        "outcome_kinds": [k for k in OUTCOMES if k in outcomes["total"]],
    }
    return render(request, "dashboard.html", context)


def charts(stats: dict[str, Any]) -> dict[str, Any]:
    """Series for each chart, trimmed to what fits (weeks: the latest; others: the largest)."""
    weeks = list(stats["by_week"].items())[-MAX_WEEKS:]
    queues = stats["queues"]
    return {
        "weeks": [(week, int(v.get("referrals", 0))) for week, v in weeks],
        "esp": _top(stats["by_esp"]),
        "country": _top(stats["by_country"]),
        "media": sorted(stats["media"].items(), key=lambda kv: -kv[1]),
        "known_share": float(stats["media_share"].get("known", 0.0)),
        # every agency with open referrals: a queue left off the chart is a queue forgotten
        "queue_oldest": [(a, float(q["oldest_days"])) for a, q in queues.items()],
        "queue_median": [(a, float(q["median_age_days"])) for a, q in queues.items()],
    }


def _top(counts: dict[str, int]) -> list[tuple[str, int]]:
    return list(counts.items())[:MAX_BARS]
