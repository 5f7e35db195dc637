"""Operations endpoints: ``/livez``, ``/readyz`` and ``/metrics``, plus request observation.

``/livez`` answers while the process can serve at all (restart it when it stops).
``/readyz`` answers 200 only when the workspace can do its job: the database answers, the
vault's object folders are readable, and the schema is at this version's migration head
(a load balancer should stop sending traffic otherwise). Both are unauthenticated, as
probes are, so they say only which check failed, never why: the reason (which may name
paths or hosts) goes to the server log.
"""

from __future__ import annotations

import logging
import os
from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, inspect, text
from starlette.concurrency import run_in_threadpool

from grace.store.db import MIGRATIONS
from grace.web.metrics import install_metrics
from grace.web.observe import Observe
from grace.workspace import Workspace

log = logging.getLogger("grace.ops")
NO_STORE = {"Cache-Control": "no-store"}


def install_ops(app: FastAPI) -> None:
    """Add the probes, ``/metrics`` and the observing middleware to ``app``."""
    instruments = install_metrics(app)
    app.add_middleware(Observe, metrics=instruments)

    @app.get("/livez", include_in_schema=False)
    async def livez() -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks = await run_in_threadpool(readiness, request.app.state.workspace)
        ready = all(value == "ok" for value in checks.values())
        body = {"status": "ready" if ready else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503, headers=NO_STORE)


def readiness(workspace: Workspace) -> dict[str, str]:
    """``ok`` or a one-word failure per check: database, vault, migrations."""
    checks = {"database": "failed", "migrations": "unknown", "vault": _vault(workspace)}
    try:
        with workspace.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            checks["migrations"] = "ok" if _revisions(conn) == migration_heads() else "behind"
    except Exception as exc:  # any driver or network failure means "not ready"
        log.warning("readiness: database check failed: %s", type(exc).__name__)
    return checks


def _revisions(conn: Connection) -> frozenset[str]:
    """The revisions the database is at, read directly: alembic's MigrationContext would
    log two INFO lines on every probe."""
    if not inspect(conn).has_table("alembic_version"):  # never migrated
        return frozenset()
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _vault(workspace: Workspace) -> str:
    objects = workspace.vault.root / "objects"
    try:
        with os.scandir(objects) as entries:
            next(entries, None)
    except OSError as exc:
        log.warning("readiness: vault not readable: %s", type(exc).__name__)
        return "failed"
    return "ok" if os.access(objects, os.R_OK | os.X_OK) else "failed"


@cache
def migration_heads() -> frozenset[str]:
    """The migration heads this version of grace ships (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())
