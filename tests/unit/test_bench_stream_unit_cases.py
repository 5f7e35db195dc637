"""The ``unit_cases`` bench stream: every document is one grace ingests, and it is a fair test.

A stream grace cannot read measures nothing, and one with no (or only) urgent referrals
cannot measure ranking; a stream that changes between runs cannot be compared.
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
def unit_cases() -> Iterator[ModuleType]:
    with stream_generator("unit_cases") as module:
        yield module


def test_every_document_parses_and_urgency_is_rare(unit_cases: ModuleType) -> None:
    started = time.perf_counter()
    stream = unit_cases.generate(300, 1)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0
    assert len(stream.items) == 300
    for item in stream.items:
        ingestor = choose(item.member, item.document[:4096])
        assert ingestor is not None, item.story
        assert isinstance(ingestor.parse(item.document, item.member), Referral)
        assert set(item.media) <= {"new", "known", "viral", "duplicate"}
    urgent = sum(item.urgent for item in stream.items)
    assert 0 < urgent < 30


def test_deterministic_for_a_seed(unit_cases: ModuleType) -> None:
    a, b = unit_cases.generate(300, 1), unit_cases.generate(300, 1)
    assert [i.document for i in a.items] == [i.document for i in b.items]
    assert [(i.urgent, i.country, i.media) for i in a.items] == [
        (i.urgent, i.country, i.media) for i in b.items
    ]
    assert a.reference == b.reference
    other = unit_cases.generate(300, 2)
    assert [i.document for i in other.items] != [i.document for i in a.items]
