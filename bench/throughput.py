"""Intelligence and triage throughput: identifiers, routing, links, subjects and scoring.

Loads N benign synthetic referrals (the demo generator's stream described without images,
so files are listed but carry no bytes) straight into a fresh SQLite workspace, then times
the stages that run after ingest: ``IntelProcessor`` (identifier extraction, routing, link
graph, subjects) and a ``rules_v1`` triage run. Loading is not timed. As a same-run
baseline, the time to merely read every referral back from the database is reported, so
the ratio shows what the analysis costs. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from grace.demo.sketch import describe
from grace.demo.writers_json import grace_referral
from grace.ingest import persist
from grace.ingest.assemble import Unit
from grace.intel.service import IntelProcessor
from grace.model import Referral as ReferralModel
from grace.store.tables import Referral
from grace.triage.service import run_triage
from grace.workspace import Workspace

LOAD_CHUNK = 2000


def load(workspace: Workspace, referrals: int, seed: int) -> None:
    sketch = describe(referrals, seed)
    units = []
    for n, synth in enumerate(sketch.referrals):
        model = grace_referral(synth)
        for file in model.files:
            file.name = None  # described, no bytes: nothing to pair with
        document = model.model_dump_json(exclude_none=True).encode()
        units.append(Unit(model, f"bench:{n}", "referral.json", document))
        if len(units) == LOAD_CHUNK:
            _store(workspace, units)
            units = []
    _store(workspace, units)


def _store(workspace: Workspace, units: list[Unit]) -> None:
    if not units:
        return
    batch = [persist.prepare(unit, "bench") for unit in units]
    persist.write_blobs(workspace.vault, batch)
    with workspace.sessions.begin() as session:
        persist.record(session, batch)


def read_back(workspace: Workspace) -> float:
    started = time.perf_counter()
    with workspace.sessions() as session:
        for (data,) in session.execute(select(Referral.data)).yield_per(2000):
            ReferralModel.model_validate(data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grace-throughput-") as tmp:
        workspace = Workspace.init(Path(tmp) / "home")
        t0 = time.perf_counter()
        load(workspace, args.referrals, args.seed)
        load_s = time.perf_counter() - t0
        baseline_s = read_back(workspace)
        t1 = time.perf_counter()
        intel = IntelProcessor(workspace, "bench").run()
        intel_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        run = run_triage(workspace, "rules_v1", "bench")
        triage_s = time.perf_counter() - t2
        workspace.close()
    total = intel_s + triage_s
    print(
        json.dumps(
            {
                "referrals": args.referrals,
                "load_s_not_timed": round(load_s, 1),
                "read_back_baseline_s": round(baseline_s, 1),
                "intel_s": round(intel_s, 1),
                "triage_s": round(triage_s, 1),
                "total_s": round(total, 1),
                "referrals_per_s": round(args.referrals / total, 1),
                "identifiers": intel.identifiers,
                "links": intel.links,
                "subjects": intel.subjects,
                "scored": run.referrals,
                "target_total_s": 300,
            }
        )
    )


if __name__ == "__main__":
    main()
