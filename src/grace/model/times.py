"""Times as referrals state them: ISO 8601 strings, parsed leniently into aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_utc(value: str | None) -> datetime | None:
    """An ISO 8601 time in UTC; None when missing or unreadable; naive times taken as UTC.

    The verbatim string (with the sender's offset) is always kept beside the parsed value.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # An offset can carry a time past year 1 or 9999 in UTC (0001-01-01T00:00+01:00):
        # ``astimezone`` then raises OverflowError, which is "unreadable" like any other.
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
