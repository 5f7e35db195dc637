"""Application factory: the analyst desk's pages and the /api/v1 REST API on one app.

Pages are server-rendered (Jinja2) and need no external assets. The workspace is kept on
``app.state.workspace`` for ``grace.web.deps.get_workspace``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from grace import __version__
from grace.web.docs import install_docs
from grace.web.errors import install_error_handlers
from grace.web.headers import SecurityHeaders
from grace.web.ops import install_ops
from grace.workspace import Workspace

HERE = Path(__file__).parent
OPENAPI_URL = "/api/openapi.json"


def create_app(workspace: Workspace, secure_cookies: bool = False) -> FastAPI:
    """Build the app around one open workspace.

    ``secure_cookies`` marks the session cookie Secure even when the request looks like
    plain HTTP (a TLS proxy that does not send X-Forwarded-Proto).
    """
    app = build_app()
    app.state.workspace = workspace
    app.state.secure_cookies = secure_cookies
    return app


def build_app() -> FastAPI:
    """Every route and handler, without a workspace (enough to write the OpenAPI document)."""
    from grace.api import router as api_router
    from grace.web.auth.routes import router as auth_router

    app = FastAPI(
        title="grace analyst desk API",
        version=__version__,
        description="Referrals, decisions, hash sets, statistics and the audit trail of a "
        "grace workspace. Authenticate with `Authorization: Bearer <token>` "
        "(`grace users token USERNAME`) or the session cookie of `POST /api/v1/auth/login`.",
        docs_url=None,  # grace.web.docs serves Swagger UI from local assets (no CDN)
        redoc_url=None,
        openapi_url=OPENAPI_URL,
    )
    install_error_handlers(app)
    install_ops(app)  # /livez, /readyz, /metrics and request metrics/logs
    app.add_middleware(SecurityHeaders)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(auth_router)
    app.include_router(api_router)
    _include_pages(app)
    return app


def _include_pages(app: FastAPI) -> None:
    """The desk's HTML pages and the media and export endpoints (their own modules)."""
    from grace.api.media import router as media_router
    from grace.web.pages import router as pages_router

    app.include_router(media_router)
    from grace.api.exports import router as exports_router

    app.include_router(exports_router)
    from grace.api.deconflict import router as deconflict_router

    app.include_router(deconflict_router)
    from grace.api.exchange import router as exchange_router

    app.include_router(exchange_router)
    app.include_router(pages_router)
