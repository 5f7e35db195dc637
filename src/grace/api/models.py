"""Response models of /api/v1, so the OpenAPI document says what each endpoint returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

MAX_PAGE = 200


class ErrorOut(BaseModel):
    """Every error: one clear message."""

    error: str


ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "malformed request (a body or form that cannot be parsed)"),
        (401, "not signed in, or the token is invalid"),
        (403, "the role may not do this, or the CSRF token is missing"),
        (404, "no such object in your agency's scope"),
        (409, "a concurrent change conflicted with this one: try again"),
        (422, "invalid input (types, ranges, page size)"),
        (503, "the database is busy or unavailable: try again"),
    )
}
TOO_MANY: dict[int | str, dict[str, object]] = {
    429: {"model": ErrorOut, "description": "too many failed sign-ins: wait and try again"}
}


class Page(BaseModel):
    total: int = Field(description="how many items match the filters (all pages)")
    page: int
    limit: int


class ReferralSummary(BaseModel):
    id: int
    external_id: str | None
    source_format: str
    esp_name: str | None
    incident_type: str | None
    incident_time: str | None
    received_at: str | None
    escalated: bool
    file_count: int
    status: str
    agency: str | None
    country_of_action: str | None
    priority: float | None
    warnings: int = Field(description="how many ingest warnings the referral has")
    media_counts: dict[str, int] = Field(description="files by media status: new, known, ...")


class ReferralPage(Page):
    items: list[ReferralSummary]


class PriorityExplanation(BaseModel):
    score: float
    scorer: str
    version: str
    factors: list[dict[str, Any]]


class Party(BaseModel):
    id: int
    role: str
    esp_service: str | None
    esp_user_id: str | None
    screen_name: str | None
    display_name: str | None
    country_code: str | None
    emails: list[str]
    phones: list[str]


class Identifier(BaseModel):
    kind: str
    value: str
    role: str | None
    source: str


class IpEventOut(BaseModel):
    ip: str
    country: str | None = Field(description="country of the address (GeoIP MMDB or RIR data)")
    port: int | None
    event: str | None
    at: str | None
    party_id: int | None
    possible_proxy: bool | None


class BankMatch(BaseModel):
    bank: str
    bank_kind: str
    category_scheme: str | None
    category: str | None
    method: str
    distance: int
    suppressed: bool
    held: str | None = Field(
        None, description="why the entry is held from alerting (disputed, flooding), if held"
    )


class FileOut(BaseModel):
    id: int
    name: str | None
    original_name: str | None
    sha256: str | None
    viewed_by_esp: bool | None
    industry_classification: str | None
    annotations: list[str]
    declared_hash_ok: bool | None
    media_status: str | None
    kind: str | None
    group_id: int | None
    matches: list[BankMatch]


class DuplicateGroup(BaseModel):
    group_id: int
    items: list[str] = Field(description="SHA-256 of the group's items")
    other_referrals: list[int] = Field(description="referrals in your scope sharing the group")


class DecisionOut(BaseModel):
    id: int
    label: str
    actor: str
    at: str
    notes: str | None
    media_categories: dict[str, str]


class ReferralDetail(ReferralSummary):
    subject_id: int | None
    routing: dict[str, Any] | None = Field(description="agency decision and country evidence")
    links: list[dict[str, Any]] = Field(description="linked referrals in your scope, and why")
    priority_explanation: PriorityExplanation | None
    parties: list[Party]
    identifiers: list[Identifier]
    ip_events: list[IpEventOut]
    files: list[FileOut]
    duplicate_groups: list[DuplicateGroup]
    decisions: list[DecisionOut]
    document_sha256: str
    ingest_warnings: list[str]
    referral: dict[str, Any] = Field(description="the full mapped referral document")
    dissemination: dict[str, Any] | None = Field(
        None,
        description="sent to a peer node: status (acknowledged by a signed receipt, "
        "delivered, outbox, failed), peer, package, receipt time, the receiver's referral id",
    )


class HashSet(BaseModel):
    id: int
    name: str
    kind: str
    scheme: str | None
    description: str | None
    created_at: str
    entries: int


class AuditEventOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]


class AuditPage(Page):
    items: list[AuditEventOut]


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    agency: str | None
    disabled: bool
    created_at: str


class TokenOut(BaseModel):
    id: int
    name: str
    owner: str
    created_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class NewToken(TokenOut):
    token: str = Field(description="the secret: shown this once, store it safely")
