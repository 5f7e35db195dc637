"""The REST API of the analyst desk, ``/api/v1``. ``router`` gathers the routers owned here;
``grace.web.app`` also includes the media (``grace.api.media``) and export
(``grace.api.exports``) routers, which carry their own ``/api/v1`` prefix."""

from __future__ import annotations

from fastapi import APIRouter

from grace.api import audit, catalogue, decisions, referrals, users
from grace.api.models import ERRORS

router = APIRouter(prefix="/api/v1", responses=ERRORS)
for _module in (referrals, decisions, catalogue, audit, users):
    router.include_router(_module.router)

__all__ = ["router"]
