"""Worker processes that die with the process that started them.

A ``ProcessPoolExecutor`` worker blocks on its call-queue pipe; when the parent is killed
(SIGKILL, OOM killer, a crashed operator shell) nothing closes that pipe's other end for
it, so the worker lives on holding decoded evidence in memory. Two guards, because each
has a gap the other covers:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment
  the parent dies (no library offers this portably, hence the few lines of ctypes);
- everywhere, a daemon thread that polls ``os.getppid()`` and exits once the worker has
  been re-parented (this also catches a parent that died before the ``prctl`` call).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Arrange for this (worker) process to end as soon as ``parent_pid`` is gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the guard was in place
        os._exit(1)
    watch = threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True)
    watch.start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    os._exit(1)  # no clean-up to do: a worker holds only work in progress


def _init(parent_pid: int, then: Callable[..., None] | None, args: tuple[Any, ...]) -> None:
    die_with_parent(parent_pid)
    if then is not None:
        then(*args)


def worker_pool(
    workers: int,
    context: BaseContext | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A process pool whose workers end with this process (see the module docstring)."""
    return ProcessPoolExecutor(
        workers, context, initializer=_init, initargs=(os.getpid(), initializer, initargs)
    )
