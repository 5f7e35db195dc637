"""One timeline for the three formats of a demo stream.

NCMEC's police JSON and grace JSON say when a report was received (``dateReceived``);
ESP XML does not (NCMEC assigns that on submission), so grace stamps an ESP XML referral
as received when it is ingested. A stream whose JSON referrals were received across the
weeks before its reference time, with XML referrals "received" at ingest, shows ages of
minutes beside ages of years, and every recency factor is zero.

So the demo generates its stream up to the time it runs (``grace demo`` passes the clock
as the reference; tests and benchmarks keep the seed's fixed date), and each ESP XML
referral's whole story - incident, uploads, IP events - moves forward until its receipt
falls on the reference, the moment it is ingested. The gaps between events and receipt
are kept, so recency relative to the time received is what the scenario drew.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from grace.demo.filemeta import stamp
from grace.demo.synth import IpCapture, SynthFile, SynthReferral

_OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def received_on_ingest(r: SynthReferral, reference: datetime) -> SynthReferral:
    """``r`` with its ESP XML story shifted so its receipt is ``reference``; other formats
    (which carry their own receipt time) are returned unchanged."""
    if r.fmt != "cybertip_xml":
        return r
    delta = reference - datetime.fromisoformat(r.received_at.replace("Z", "+00:00"))
    if delta <= timedelta(0):
        return r
    return replace(
        r,
        incident_time=shift(r.incident_time, delta),
        received_at=shift(r.received_at, delta),
        subject_ips=[_ip(e, delta) for e in r.subject_ips],
        files=[_file(f, delta) for f in r.files],
    )


def shift(value: str, delta: timedelta) -> str:
    """An ISO 8601 time (as ``stamp`` writes it) moved by ``delta``, in its own offset."""
    found = _OFFSET.search(value)
    offset = found.group(1) if found else "Z"
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    utc = (when + delta).replace(tzinfo=None) - (when.utcoffset() or timedelta(0))
    return stamp(utc, offset)


def _ip(event: IpCapture, delta: timedelta) -> IpCapture:
    return replace(event, at=shift(event.at, delta))


def _file(f: SynthFile, delta: timedelta) -> SynthFile:
    return replace(
        f,
        uploaded_at=shift(f.uploaded_at, delta) if f.uploaded_at else None,
        upload_ip=_ip(f.upload_ip, delta) if f.upload_ip else None,
    )
