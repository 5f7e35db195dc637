"""The elliptic-curve work of deconfliction spread over the machine's cores.

Why: ``voprf``'s Rust core holds the GIL, so threads do not help, and one blind evaluation
(~80-120 µs a token) or one blind-and-unblind (~150-300 µs) is most of what a token costs.
A process pool runs it on every core:

- the coordinator evaluates each request's batch in a worker process, *after* the request
  was authenticated, counted against the node's budget and audited (``evaluate``); the
  worker derives the epoch key from the seed file itself, so nothing secret crosses the
  pool, only the batch of blinded elements (random points) and the evaluated answer;
- a node blinds, has a batch evaluated and unblinds in a worker (``tokenise``): the blinds
  are Rust objects that cannot leave the process that made them, so one worker does the
  whole round trip for its batch with its own signed HTTP client.

The pool is this process's own children (``spawn``, so no forked locks or database
connections), talking to it over a pipe; the values passed are bytes, ints, strings and
paths. ``GRACE_DECONFLICT_WORKERS`` sets its size (default: the machine's cores); 1 or 0
keeps the work in the calling process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from grace.deconflict import oprf

ENV = "GRACE_DECONFLICT_WORKERS"
_lock = threading.Lock()
_pools: dict[str, ProcessPoolExecutor] = {}


def workers() -> int:
    """The pool size: ``GRACE_DECONFLICT_WORKERS`` or the number of usable cores."""
    raw = os.environ.get(ENV, "").strip()
    if raw.isdigit():
        return int(raw)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def executor(role: str) -> Executor | None:
    """This process's pool for ``role`` ("evaluate" or "tokenise"), started on first use;
    None when it would have one worker. One pool per role: a node's round trips wait on
    evaluations, so sharing workers with a coordinator in the same process (a test, the
    bench) could leave every worker waiting on one that can never start."""
    size = workers()
    if size <= 1:
        return None
    with _lock:
        if role not in _pools:
            context = multiprocessing.get_context("spawn")
            _pools[role] = ProcessPoolExecutor(size, mp_context=context)
        return _pools[role]


async def evaluate(seed_file: Path, epoch: int, packed: bytes) -> bytes:
    """``oprf.evaluate`` in a worker (or here, without a pool), without blocking the loop."""
    pool = executor("evaluate")
    if pool is None:
        return oprf.evaluate(seed_file, epoch, packed)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, oprf.evaluate, seed_file, epoch, packed)


def round_trip(
    home: str, node: str, url: str, epoch: int, key: bytes, inputs: Sequence[bytes]
) -> list[str]:
    """Blind ``inputs``, have the coordinator evaluate them blind, unblind and check the
    proof: one batch, start to end, in the process that holds its blinds."""
    from grace.deconflict.client import Caller, b64, unb64

    with Caller(Path(home), node, url) as caller:
        blinded = oprf.Blinded(list(inputs))
        answer = caller.post("/evaluate", {"epoch": epoch, "blinded": b64(blinded.packed)})
        return blinded.finalize(unb64(answer.get("evaluated")), key)


def tokenise(
    home: Path, node: str, url: str, epoch: int, key: bytes, batches: Sequence[Sequence[bytes]]
) -> list[list[str]] | None:
    """Tokens of several batches, one round trip per worker at a time; None without a pool
    (the caller then runs the batches itself on its open connection)."""
    pool = executor("tokenise") if len(batches) > 1 else None
    if pool is None:
        return None
    futures = [
        pool.submit(round_trip, str(home), node, url, epoch, key, list(batch)) for batch in batches
    ]
    return [future.result() for future in futures]
