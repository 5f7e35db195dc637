"""Application factory. Pages are server-rendered (Jinja2) and need no external assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from grace import __version__
from grace.referrals import count_referrals, list_referrals, referral_detail
from grace.workspace import Workspace

HERE = Path(__file__).parent
WEB_ACTOR = "web:anonymous"


def create_app(workspace: Workspace) -> FastAPI:
    """Build the app around one open workspace."""
    app = FastAPI(
        title="grace", version=__version__, docs_url="/api/docs", openapi_url="/api/openapi.json"
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/referrals")
    def api_referrals(
        limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0)
    ) -> dict[str, Any]:
        with workspace.sessions() as session:
            return {
                "total": count_referrals(session),
                "items": list_referrals(session, limit, offset),
            }

    @app.get("/api/v1/referrals/{referral_id}")
    def api_referral(referral_id: int) -> dict[str, Any]:
        return _viewed(workspace, referral_id, "api")

    @app.get("/", response_class=HTMLResponse)
    def queue_page(request: Request, page: int = Query(1, ge=1)) -> HTMLResponse:
        size = 100
        with workspace.sessions() as session:
            total = count_referrals(session)
            rows = list_referrals(session, size, (page - 1) * size)
        context = {"rows": rows, "total": total, "page": page, "pages": max(1, -(-total // size))}
        return templates.TemplateResponse(request, "queue.html", context)

    @app.get("/referrals/{referral_id}", response_class=HTMLResponse)
    def referral_page(request: Request, referral_id: int) -> HTMLResponse:
        detail = _viewed(workspace, referral_id, "web")
        return templates.TemplateResponse(request, "referral.html", {"r": detail})

    return app


def _viewed(workspace: Workspace, referral_id: int, via: str) -> dict[str, Any]:
    """Fetch a referral and record the view in the audit trail, in one transaction."""
    with workspace.sessions.begin() as session:
        detail = referral_detail(session, referral_id)
        if detail is None:
            raise HTTPException(status_code=404, detail=f"no referral with id {referral_id}")
        workspace.audit.append(
            session,
            actor=WEB_ACTOR,
            action="view",
            object_type="referral",
            object_id=str(referral_id),
            details={"via": via},
        )
    workspace.audit.save_anchor()
    return detail
