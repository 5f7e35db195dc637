"""Domain types shared by every layer. This package imports nothing else from grace."""

from grace.model.referral import (
    DeviceId,
    FileRef,
    IncidentDetail,
    IpEvent,
    Location,
    NameValue,
    Party,
    PartyRole,
    Referral,
)

__all__ = [
    "DeviceId",
    "FileRef",
    "IncidentDetail",
    "IpEvent",
    "Location",
    "NameValue",
    "Party",
    "PartyRole",
    "Referral",
]
