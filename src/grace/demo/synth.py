"""Format-neutral description of one synthetic referral.

The scenario code decides *what* happened (who, where, which media, how urgent) once, in
these plain dataclasses; each writer then only decides *how* a given format spells it.
That keeps the three formats consistent with each other and with the ground truth, and
keeps every writer small.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IpCapture:
    """An IP address event as a provider would log it."""

    ip: str
    event: str  # Login, Registration, Upload, Other, Unknown, Purchase
    at: str  # ISO 8601 with offset
    port: int | None = None
    possible_proxy: bool | None = None
    country: str | None = None  # ground truth only: where the address block is allocated


@dataclass
class Subject:
    """A synthetic account holder; subjects are reused across referrals (repeat accounts)."""

    subject_id: str
    first_name: str | None
    last_name: str | None
    emails: list[str]
    phones: list[tuple[str, str]]  # (E.164 number, calling code "+49")
    screen_name: str
    display_name: str | None
    esp_user_id: str
    country: str
    home_ips: list[str]
    age: int | None = None
    date_of_birth: str | None = None
    other_handles: list[str] = field(default_factory=list)
    device_id: tuple[str, str] | None = None  # (idType, idValue)


@dataclass
class Esp:
    """An electronic service provider that files reports."""

    name: str
    service: str
    domain: str
    weight: float
    incident_kind: str  # webPage, chatIm, email, onlineGaming, peer2peer
    reporter_first: str
    reporter_last: str
    boilerplate: str


@dataclass
class SynthFile:
    """One file of a referral: its bytes come from the media pool by sha256."""

    file_id: str
    member_name: str
    original_name: str | None
    sha256: str
    md5: str
    sha1: str
    size: int
    base_id: str
    transform: str
    viewed_by_esp: bool | None
    publicly_available: bool | None
    annotations: list[str]
    industry_classification: str | None
    uploaded_at: str | None
    location_url: str | None
    upload_ip: IpCapture | None
    exif: list[tuple[str, str]] = field(default_factory=list)
    additional_info: list[str] = field(default_factory=list)
    supplemental: bool = False


@dataclass
class SynthReferral:
    """Everything one synthetic referral says, before it is spelled in a format."""

    index: int
    report_id: int
    fmt: str  # cybertip_xml, ncmec_le_json, grace_json
    esp: Esp
    incident_type: str
    incident_time: str
    incident_time_description: str | None
    received_at: str
    platform: str | None
    escalation: str | None
    report_annotations: list[str]
    batched: bool
    incident_kind: str
    urls: list[str]
    chat_room: str | None
    subject: Subject
    subject_ips: list[IpCapture]
    location: tuple[str | None, str | None, str | None] | None  # city, region, country code
    location_verified: bool | None
    recipient: Subject | None
    victim_age: int | None
    files: list[SynthFile]
    additional_info: list[str]
    subject_info: list[str]
    truly_urgent: bool
    country: str | None  # ground truth: where the subject really is
    latent: dict[str, bool | str] = field(default_factory=dict)  # ground truth: causes of urgency
