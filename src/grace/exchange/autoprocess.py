"""Received referrals are processed (media hashed and matched, routed, scored) on arrival.

``grace receive`` processes them itself before it returns (unless ``--no-media``), as
``grace ingest`` does. Packages posted to a serving node's inbox are answered first (the
sender waits for the signed receipt, not for PDQ), then one background thread per
workspace runs the usual ``MediaProcessor`` once the inbox has been quiet for
``QUIET_S`` seconds: a sender posting a batch of packages gets one processing run, not one
per package, and the work never competes with verifying the next package. The processor
is crash-safe and idempotent (``grace.media.process``), so a server stopped mid-run
leaves nothing that the next run, or ``grace media process``, does not finish.
``GRACE_RECEIVE_MEDIA=0`` turns the background run off (``grace media process`` then).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from grace.workspace import Workspace

QUIET_S = 2.0
ACTOR = "exchange:inbox"
log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_WORKERS: dict[str, _Worker] = {}


def enabled() -> bool:
    return os.environ.get("GRACE_RECEIVE_MEDIA", "1") != "0"


class _Worker(threading.Thread):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__(name="exchange-media", daemon=True)
        self.workspace = workspace
        self.wake = threading.Event()
        self.last = 0.0
        self.runs = 0

    def kick(self) -> None:
        self.last = time.monotonic()
        self.wake.set()

    def run(self) -> None:
        while True:
            self.wake.wait()
            while time.monotonic() - self.last < QUIET_S:
                time.sleep(0.2)
            self.wake.clear()
            try:
                from grace.exchange.settle import settle_received
                from grace.media.process import MediaProcessor  # numba, decoders: only here

                report = MediaProcessor(self.workspace, ACTOR, workers=1).run()
                settled = settle_received(self.workspace, ACTOR)
                for notice in report.notices:
                    log.warning("%s", notice)
                log.info(
                    "received media: %d analysed, %d matches, %d held",
                    report.analysed,
                    report.matches,
                    report.held,
                )
                log.info(
                    "received referrals: %d routed, %d assigned to this agency, triage run %s",
                    settled.routed,
                    settled.assigned,
                    settled.triage_run,
                )
            except Exception:  # a failed run is retried on the next package or by hand
                log.exception("processing received media failed; run grace media process")
            self.runs += 1


def schedule(workspace: Workspace) -> None:
    """Process received media in the background once the inbox is quiet."""
    if not enabled():
        return
    key = str(workspace.home.resolve())
    with _LOCK:
        worker = _WORKERS.get(key)
        if worker is None:
            worker = _WORKERS[key] = _Worker(workspace)
            worker.start()
    worker.kick()
