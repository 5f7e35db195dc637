"""The ServerApp the coordinator's SuperLink runs for ``grace fl run``.

Legacy (compat) API on purpose: in flwr 1.42 SecAgg+ exists only there
(``DefaultWorkflow(fit_workflow=SecAggPlusWorkflow(...))`` over a ``LegacyContext``).
The strategy is Flower's own (FedAvg, FedProx, trimmed mean, Krum), optionally wrapped in
Flower's agency-level DP (``DifferentialPrivacyClientSideFixedClipping``; clients clip with
``fixedclipping_mod``). A recording wrapper notes which nodes took part in each round and
the metrics; at the end the global model (``.npz``, no pickle) and that record are written
to the coordinator's output folder, which ``grace fl run`` then files in its workspace.
This process never opens a client's files: it only receives (masked) parameters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from flwr.app import Context
from flwr.common import Parameters, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server import Grid, LegacyContext, ServerApp, ServerConfig
from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow

from grace.federation import data, task
from grace.federation.recording import RecordingStrategy
from grace.federation.strategies import (
    STRATEGIES,
    AgencyDp,
    fit_config,
    make_strategy,
)

app = ServerApp()


def build_strategy(run: dict[str, Any], initial: task.Params) -> RecordingStrategy:
    """Flower's strategy named in the run config (fl-sim's ``make_strategy``), with
    agency-level DP when ``clip-norm`` > 0; every agency evaluates the global model."""
    min_clients = int(run.get("min-clients", 3))
    clip = float(run.get("clip-norm", 0.0))
    agency_dp = (
        AgencyDp(float(run.get("agency-noise", 0.0)), clip, min_clients) if clip > 0 else None
    )
    name = str(run.get("strategy", "fedavg"))
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    inner = make_strategy(
        name,
        min_clients=min_clients,
        initial=initial,
        agency_dp=agency_dp,
        fraction_evaluate=1.0,
        on_fit_config_fn=fit_config(
            epochs=int(run.get("local-epochs", 1)),
            lr=float(run.get("lr", 0.1)),
            batch_size=int(run.get("batch-size", 32)),
            dp_noise_multiplier=float(run.get("dp-noise", 0.0)),
        ),
        proximal_mu=float(run.get("proximal-mu", 0.0)),
        trim_beta=float(run.get("trim-beta", 0.2)),
        num_malicious=int(run.get("krum-malicious", 0)),
    )
    return RecordingStrategy(inner, fit_config={}, initial=ndarrays_to_parameters(initial))


def write_outputs(folder: Path, record: dict[str, Any], params: Parameters | None) -> None:
    """Global model as plain arrays plus the run record, in the coordinator's folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if params is not None:
        arrays = parameters_to_ndarrays(params)
        np.savez(folder / "global.npz", *[np.asarray(a) for a in arrays])
    (folder / "record.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


@app.main()
def main(grid: Grid, context: Context) -> None:
    run = dict(context.run_config)
    rounds = int(run.get("num-rounds", 2))
    n_features, n_classes = data.n_features_classes(str(run.get("dataset", "digits")))
    strategy = build_strategy(run, task.init_params(n_features, n_classes))
    legacy = LegacyContext(
        context=context, config=ServerConfig(num_rounds=rounds), strategy=strategy
    )
    if bool(run.get("secagg", True)):
        fit = SecAggPlusWorkflow(
            num_shares=int(run.get("num-shares", 3)),
            reconstruction_threshold=int(run.get("reconstruction-threshold", 2)),
        )
        DefaultWorkflow(fit_workflow=fit)(grid, legacy)
    else:
        DefaultWorkflow()(grid, legacy)
    out = str(run.get("output-dir", ""))
    if not out:
        print("grace: no output-dir in the run config; global model not written")
        return
    folder = Path(out) / f"run-{context.run_id}"
    hist = legacy.history
    record = {
        "run_id": str(context.run_id),
        "output_dir": str(folder),
        "config": {k: v for k, v in run.items() if k != "output-dir"},
        "participants": sorted(strategy.participants),
        "rounds": strategy.rounds_record(),
        "history": {
            "losses_distributed": hist.losses_distributed,
            "metrics_distributed": hist.metrics_distributed,
            "metrics_distributed_fit": hist.metrics_distributed_fit,
        },
    }
    write_outputs(folder, record, strategy.latest)
    print(f"grace: run {context.run_id} recorded in {folder}")
