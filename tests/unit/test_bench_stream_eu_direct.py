"""The ``eu_direct`` bench stream: every report is one grace ingests, and it is a fair test.

A stream grace cannot read measures nothing; one with no (or only) urgent referrals cannot
measure ranking; one that changes between runs cannot be compared; a slow one is not run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import ModuleType

import pytest

from bench_streams import stream_generator
from grace.ingest.registry import choose
from grace.model import Referral


@pytest.fixture(scope="module")
def eu_direct() -> Iterator[ModuleType]:
    with stream_generator("eu_direct") as module:
        yield module


def test_every_report_parses_and_urgency_is_rare(eu_direct: ModuleType) -> None:
    started = time.perf_counter()
    stream = eu_direct.generate(300, 1)
    assert time.perf_counter() - started < 5.0
    assert len(stream.items) == 300
    for item in stream.items:
        ingestor = choose(item.member, item.document[:4096])
        assert ingestor is not None and ingestor.name == "cybertip_xml"
        assert isinstance(ingestor.parse(item.document, item.member), Referral)
    urgent = sum(item.urgent for item in stream.items)
    assert 0 < urgent < 0.2 * len(stream.items)


def test_the_same_seed_gives_the_same_stream(eu_direct: ModuleType) -> None:
    one, two = eu_direct.generate(120, 7), eu_direct.generate(120, 7)
    assert [i.document for i in one.items] == [i.document for i in two.items]
    assert [(i.urgent, i.country, i.media) for i in one.items] == [
        (i.urgent, i.country, i.media) for i in two.items
    ]
    assert one.reference == two.reference
    other = eu_direct.generate(120, 8)
    assert [i.document for i in other.items] != [i.document for i in one.items]


def test_each_report_says_when_it_was_received(eu_direct: ModuleType) -> None:
    """A provider's XML states no receipt time; grace stamps arrival, so the stream hands the
    bench each report's arrival (earlier reports arrived earlier, none after the reference)."""
    stream = eu_direct.generate(200, 2)
    received = [item.received for item in stream.items]
    assert all(r is not None and r <= stream.reference for r in received)
    assert received[0] < received[-1]  # oldest first, as they arrived
    for item in stream.items[:20]:
        assert b"<receivedAt" not in item.document and b"received" not in item.document.lower()
