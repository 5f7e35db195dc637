"""The deconfliction worker pool's switches: its size from GRACE_DECONFLICT_WORKERS, no
pool (work in the calling process) at one worker, and the same answers either way."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from grace.deconflict import oprf, pool
from grace.deconflict.canonical import oprf_input


def test_size_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pool.ENV, "3")
    assert pool.workers() == 3
    monkeypatch.setenv(pool.ENV, "1")
    assert pool.workers() == 1 and pool.executor("evaluate") is None
    monkeypatch.setenv(pool.ENV, "")
    assert pool.workers() >= 1  # the usable cores


def test_one_worker_evaluates_here_and_one_batch_needs_no_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(pool.ENV, "1")
    assert oprf.create_seed(tmp_path)
    seed = oprf.seed_path(tmp_path)
    blinded = oprf.Blinded([oprf_input("email", f"u{i}@example.org") for i in range(5)])
    answer = asyncio.run(pool.evaluate(seed, 1, blinded.packed))
    key = bytes.fromhex(oprf.public_key_hex(seed, 1))
    tokens = blinded.finalize(answer, key)
    known = oprf.evaluator(seed, 1)
    assert tokens == [
        oprf.token(known.evaluate_known_input(oprf_input("email", f"u{i}@example.org")))
        for i in range(5)
    ]
    monkeypatch.setenv(pool.ENV, "2")
    assert pool.tokenise(tmp_path, "n", "http://127.0.0.1:9", 1, key, [[b"x"]]) is None
    with pytest.raises(oprf.OprfError):
        oprf.check_batch(b"\x00" * 31)
