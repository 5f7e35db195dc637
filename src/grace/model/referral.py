"""The referral as grace understands it, whatever format it arrived in.

Every ingestor maps its format into these types; grace's own referral JSON *is* this
model serialised (its JSON Schema in ``docs/`` is generated from it). Fields are optional
because real referrals are full of gaps: an ingestor records what it understood and keeps
the rest in ``raw`` so that nothing a provider sent is thrown away.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartyRole(StrEnum):
    """Why a person or account appears in a referral."""

    REPORTED = "reported"
    RECIPIENT = "recipient"
    VICTIM = "victim"
    REPORTER = "reporter"


class IpEvent(_Model):
    """An IP address seen by the provider, with what the user did from it and when."""

    ip: str
    event: str | None = None
    at: str | None = Field(None, description="ISO 8601 time as reported, offset kept")
    port: int | None = None
    possible_proxy: bool | None = None


class DeviceId(_Model):
    """A device identifier (IMEI, ICCID, advertising id...) attached to an account or file."""

    id_type: str | None = None
    value: str
    event: str | None = None
    at: str | None = None


class Location(_Model):
    """The provider's estimate of where the account holder is."""

    city: str | None = None
    region: str | None = None
    country_code: str | None = Field(
        None, description="ISO 3166 alpha-2, or an NCMEC pseudo-code (A1, A2, O1, AP, EU)"
    )
    verified: bool | None = None


class NameValue(_Model):
    """A free-form name/value pair (ESP metadata, EXIF details, hash details)."""

    name: str
    value: str | None = None
    kind: str | None = None


class Party(_Model):
    """A person or account named in a referral: the reported user, a recipient, a victim."""

    role: PartyRole
    first_name: str | None = None
    last_name: str | None = None
    age: int | None = None
    date_of_birth: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    esp_service: str | None = None
    esp_user_id: str | None = None
    screen_name: str | None = None
    display_names: list[str] = Field(default_factory=list)
    profile_urls: list[str] = Field(default_factory=list)
    profile_bio: str | None = None
    ip_events: list[IpEvent] = Field(default_factory=list)
    device_ids: list[DeviceId] = Field(default_factory=list)
    location: Location | None = None
    additional_info: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)


class IncidentDetail(_Model):
    """One ``internetDetails`` entry: where the incident happened (web page, chat, e-mail...)."""

    kind: str = Field(description="webPage, email, chatIm, peer2peer, cellPhone, ...")
    urls: list[str] = Field(default_factory=list)
    content: str | None = None
    additional_info: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)


class FileRef(_Model):
    """A file the provider reported, as described in the referral.

    ``name`` is how the file is found beside the referral document (bundle member name);
    the bytes themselves live in the evidence vault, linked by SHA-256 at ingest.
    """

    name: str | None = None
    original_name: str | None = None
    file_id: str | None = None
    viewed_by_esp: bool | None = None
    publicly_available: bool | None = None
    annotations: list[str] = Field(default_factory=list)
    industry_classification: str | None = None
    declared_hashes: dict[str, str] = Field(
        default_factory=dict, description="hash type (lower-case, e.g. md5) -> value as sent"
    )
    uploaded_at: str | None = None
    location_url: str | None = None
    ip_events: list[IpEvent] = Field(default_factory=list)
    device_ids: list[DeviceId] = Field(default_factory=list)
    details: list[NameValue] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    additional_info: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)


class Referral(_Model):
    """One referral (an NCMEC CyberTipline report, or a direct one) mapped into grace's model."""

    schema_version: str = "1.0"
    source_format: str = Field("grace_json", description="cybertip_xml, ncmec_le_json, grace_json")
    external_id: str | None = Field(None, description="the sender's report id (NCMEC reportId)")
    esp_name: str | None = None
    incident_type: str | None = None
    incident_time: str | None = Field(None, description="ISO 8601 as reported, offset kept")
    received_at: str | None = None
    platform: str | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    report_annotations: list[str] = Field(default_factory=list)
    batched_reason: str | None = None
    incidents: list[IncidentDetail] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    files: list[FileRef] = Field(default_factory=list)
    additional_info: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)

    def party(self, role: PartyRole) -> list[Party]:
        """The parties of one role, in document order."""
        return [p for p in self.parties if p.role == role]
