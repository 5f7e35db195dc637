"""Server-rendered HTML pages of the analyst desk (queue, referral, media wall, dashboard,
audit log, team exposure, login, exchange inbox and outbox). ``router`` is included by
``grace.web.app``."""

from __future__ import annotations

from fastapi import APIRouter

from grace.web.pages import audit, dashboard, exchange, language, login, queue, referral, wall
from grace.web.pages import deconflict as deconflict_page
from grace.web.pages.render import render

router = APIRouter(include_in_schema=False)
for _module in (login, queue, referral, wall, dashboard, audit, language, exchange):
    router.include_router(_module.router)
router.include_router(deconflict_page.router)

__all__ = ["render", "router"]
