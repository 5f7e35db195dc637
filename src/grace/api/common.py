"""Dependencies and small helpers shared by the /api/v1 routers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query
from pydantic import BeforeValidator, Field, Strict

from grace.api.models import MAX_PAGE
from grace.web.auth import Principal, current_principal, require_roles
from grace.web.deps import get_workspace
from grace.workspace import Workspace

WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
WORK_ROLES = ("admin", "supervisor", "analyst")
"""Roles that work referrals: read them, decide them."""
Worker = Annotated[Principal, Depends(require_roles(*WORK_ROLES))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Auditor = Annotated[Principal, Depends(require_roles("admin", "auditor"))]

ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1, description="referral id")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="page number, from 1")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")]
Text = Annotated[str | None, Query(max_length=200)]


def _iso_time(value: object) -> object:
    """Refuse what pydantic would otherwise read as a Unix timestamp (``0.5``, ``1700000000``):
    a query time must be written as an ISO 8601 date or date-time."""
    if isinstance(value, str) and not ISO_START.match(value):
        raise ValueError("expected an ISO 8601 time such as 2025-01-31T12:00:00Z")
    return value


def _integral(value: object) -> object:
    """JSON Schema counts 3.0 as an integer, so accept it as 3; strings and booleans stay
    refused (``JsonInt`` is strict after this)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonId = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1), BeforeValidator(_integral)]
"""A database id in a strict request body: 3 and 3.0, never "3", true or 3.5 (the
validator comes last so that the bounds still reach the OpenAPI document)."""
ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
IsoTime = Annotated[
    datetime | None,
    BeforeValidator(_iso_time),
    Query(description="ISO 8601 date or date-time (UTC when no offset is given)"),
]


def utc(value: datetime | None) -> datetime | None:
    """Query times without a zone are UTC (the database stores UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
