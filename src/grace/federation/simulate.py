"""Federated simulation: N agencies, non-IID data, Flower's own workflow, strategies and mods.

A run wires ``GraceClient``s into ``flwr.clientapp.ClientApp``s (with ``secaggplus_mod`` and/or
``fixedclipping_mod`` when asked), builds the strategy with ``strategies.make_strategy`` and runs
Flower's ``DefaultWorkflow`` (with ``SecAggPlusWorkflow`` as the fit workflow for ``secagg``)
over ``inprocess.InProcessGrid``, which is what a ServerApp does on a SuperLink, minus sockets.
Baselines use the same model, optimiser and budget (rounds x local epochs): "centralised" trains
on all agencies' rows pooled; "local" trains each agency alone; all are scored on the same
balanced global test set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from flwr.app import Context
from flwr.client import Client
from flwr.client.mod import fixedclipping_mod, secaggplus_mod
from flwr.clientapp import ClientApp
from flwr.clientapp.typing import Mod
from flwr.common import NDArrays, Scalar
from flwr.server import LegacyContext, ServerConfig
from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow

from grace.federation import data, privacy
from grace.federation.client import GraceClient
from grace.federation.inprocess import InProcessGrid, node_context, server_context
from grace.federation.strategies import AgencyDp, StrategyName, fit_config, make_strategy
from grace.federation.task import TrainConfig, evaluate, init_params, train

RoundHook = Callable[[int, float], None]


@dataclass(frozen=True)
class SimConfig:
    """One simulated federation. ``record_dp_epsilon`` set = DP-SGD tuned to that epsilon."""

    agencies: int = 10
    rounds: int = 20
    alpha: float = 0.5
    strategy: StrategyName = "fedavg"
    epochs: int = 1
    lr: float = 0.5
    lr_decay: float = 1.0
    batch_size: int = 32
    proximal_mu: float = 0.01
    record_dp_epsilon: float | None = None
    dp_max_grad_norm: float = 1.0
    dp_sample_rate: float = 0.1
    agency_dp_noise: float | None = None
    agency_dp_clip: float = 1.0
    secagg: bool = False
    malicious: int = 0
    poison_scale: float = -10.0
    trim_beta: float = 0.2
    krum_keep: int = 0
    dataset: str = "digits"
    seed: int = 0


@dataclass
class SimResult:
    """Per-round test accuracy (index r = after round r+1) and what privacy was spent."""

    config: SimConfig
    federated: list[float]
    round_s: float
    centralised: list[float] = field(default_factory=list)
    local: list[float] = field(default_factory=list)
    record_noise_multiplier: float | None = None
    record_epsilon: float | None = None
    agency_epsilon: float | None = None
    delta: float = privacy.DEFAULT_DELTA

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary (final accuracies first, curves after)."""
        out: dict[str, object] = {"config": asdict(self.config)}
        out["federated"] = self.federated[-1] if self.federated else None
        out["centralised"] = self.centralised[-1] if self.centralised else None
        out["local"] = self.local[-1] if self.local else None
        out.update(
            round_s=self.round_s,
            record_noise_multiplier=self.record_noise_multiplier,
            record_epsilon=self.record_epsilon,
            agency_epsilon=self.agency_epsilon,
            delta=self.delta,
            curves={
                "federated": self.federated,
                "centralised": self.centralised,
                "local": self.local,
            },
        )
        return out


def _partitions(cfg: SimConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        data.load_partition(cfg.dataset, i, cfg.agencies, cfg.alpha, cfg.seed)
        for i in range(cfg.agencies)
    ]


def _train_config(cfg: SimConfig) -> TrainConfig:
    return TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch_size=cfg.batch_size, seed=cfg.seed)


def record_noise(cfg: SimConfig) -> tuple[float, float] | None:
    """(noise multiplier, worst-agency epsilon) meeting ``cfg.record_dp_epsilon``, or None."""
    if cfg.record_dp_epsilon is None:
        return None
    sizes = [len(y) for _, y in _partitions(cfg)]
    return privacy.noise_for_epsilon(
        cfg.record_dp_epsilon,
        sizes,
        cfg.batch_size,
        cfg.epochs,
        cfg.rounds,
        sample_rate=cfg.dp_sample_rate,
    )


def _client_app(
    cfg: SimConfig, partition: tuple[np.ndarray, np.ndarray], poisoned: bool
) -> ClientApp:
    # Every row trains (as in the baselines); the simulation scores on the global test set,
    # so the client's own evaluation set is unused here and set to its training rows.
    X, y = partition
    base = _train_config(cfg)
    scale = cfg.poison_scale if poisoned else None

    def client_fn(context: Context) -> Client:
        return GraceClient(X, y, X, y, base, poison_scale=scale).to_client()

    mods: list[Mod] = []
    if cfg.secagg:
        mods.append(secaggplus_mod)
    if cfg.agency_dp_noise is not None:
        mods.append(fixedclipping_mod)  # after secaggplus_mod: clips before masking
    return ClientApp(client_fn=client_fn, mods=mods)


def run_federated(cfg: SimConfig, on_round: RoundHook | None = None) -> SimResult:
    """Run the federation; ``on_round(round, accuracy)`` after every round (progress bars)."""
    if cfg.secagg and cfg.strategy in ("trimmed", "krum"):
        raise ValueError(
            "robust aggregation needs each agency's update, which SecAgg+ hides: "
            "use fedavg or fedprox with --secagg"
        )
    parts = _partitions(cfg)
    Xt, yt = data.global_test_set(cfg.dataset)
    n_features, n_classes = data.n_features_classes(cfg.dataset)
    noise = record_noise(cfg)
    accs: list[float] = []

    def evaluate_fn(
        server_round: int, params: NDArrays, _: dict[str, Scalar]
    ) -> tuple[float, dict[str, Scalar]]:
        result = evaluate([np.asarray(p) for p in params], Xt, yt)
        if server_round > 0:
            accs.append(result["accuracy"])
            if on_round is not None:
                on_round(server_round, result["accuracy"])
        return result["loss"], {"accuracy": result["accuracy"]}

    agency_dp = None
    if cfg.agency_dp_noise is not None:
        agency_dp = AgencyDp(cfg.agency_dp_noise, cfg.agency_dp_clip, cfg.agencies)
    strategy = make_strategy(
        cfg.strategy,
        min_clients=cfg.agencies,
        initial=init_params(n_features, n_classes, cfg.seed),
        agency_dp=agency_dp,
        evaluate_fn=evaluate_fn,
        on_fit_config_fn=fit_config(
            epochs=cfg.epochs,
            lr=cfg.lr,
            lr_decay=cfg.lr_decay,
            batch_size=cfg.batch_size,
            dp_noise_multiplier=noise[0] if noise else 0.0,
            dp_max_grad_norm=cfg.dp_max_grad_norm,
            dp_sample_rate=cfg.dp_sample_rate,
        ),
        proximal_mu=cfg.proximal_mu,
        trim_beta=cfg.trim_beta,
        num_malicious=cfg.malicious,
        krum_keep=cfg.krum_keep,
    )
    node_ids = [1000 + i for i in range(cfg.agencies)]  # SuperLink itself is node 1
    apps = {nid: _client_app(cfg, parts[i], i < cfg.malicious) for i, nid in enumerate(node_ids)}
    contexts = {nid: node_context(nid, i, cfg.agencies) for i, nid in enumerate(node_ids)}
    grid = InProcessGrid(apps, contexts)
    context = LegacyContext(
        context=server_context(), config=ServerConfig(num_rounds=cfg.rounds), strategy=strategy
    )
    fit_workflow = None
    if cfg.secagg:
        shares = max(3, min(cfg.agencies, 5))
        fit_workflow = SecAggPlusWorkflow(
            num_shares=shares, reconstruction_threshold=shares // 2 + 1
        )
    flwr_logger = logging.getLogger("flwr")
    level = flwr_logger.level
    flwr_logger.setLevel(logging.WARNING)  # Flower logs every round at INFO; the bar shows it
    started = time.perf_counter()
    try:
        DefaultWorkflow(fit_workflow=fit_workflow)(grid, context)
    finally:
        flwr_logger.setLevel(level)
    elapsed = time.perf_counter() - started
    agency_eps = None
    if cfg.agency_dp_noise is not None:
        agency_eps = privacy.agency_epsilon(cfg.agency_dp_noise, 1.0, cfg.rounds)
    return SimResult(
        config=cfg,
        federated=accs,
        round_s=elapsed / max(1, cfg.rounds),
        record_noise_multiplier=noise[0] if noise else None,
        record_epsilon=noise[1] if noise else None,
        agency_epsilon=agency_eps,
    )


def _round_config(cfg: SimConfig, r: int) -> TrainConfig:
    """Baselines' settings for their r-th (0-based) round: same schedule as the federation."""
    return TrainConfig(
        epochs=cfg.epochs,
        lr=cfg.lr * cfg.lr_decay**r,
        batch_size=cfg.batch_size,
        seed=cfg.seed * 7919 + r,
    )


def run_centralised(cfg: SimConfig) -> list[float]:
    """Pooled data, same model and budget: accuracy after each round's worth of epochs."""
    X, y = data.train_set(cfg.dataset)
    Xt, yt = data.global_test_set(cfg.dataset)
    params = init_params(*data.n_features_classes(cfg.dataset), seed=cfg.seed)
    accs = []
    for r in range(cfg.rounds):
        params, _ = train(params, X, y, _round_config(cfg, r))
        accs.append(evaluate(params, Xt, yt)["accuracy"])
    return accs


def run_local(cfg: SimConfig) -> list[float]:
    """Each agency alone, same budget; mean global-test accuracy over agencies per round."""
    Xt, yt = data.global_test_set(cfg.dataset)
    shape = data.n_features_classes(cfg.dataset)
    curves = []
    for X, y in _partitions(cfg):
        params = init_params(*shape, seed=cfg.seed)
        curve = []
        for r in range(cfg.rounds):
            params, _ = train(params, X, y, _round_config(cfg, r))
            curve.append(evaluate(params, Xt, yt)["accuracy"])
        curves.append(curve)
    return [float(v) for v in np.mean(np.asarray(curves), axis=0)]


def simulate(
    cfg: SimConfig, on_round: RoundHook | None = None, *, baselines: bool = True
) -> SimResult:
    """Federated run plus (optionally) the centralised and local-only baselines."""
    result = run_federated(cfg, on_round)
    if baselines:
        result.centralised = run_centralised(cfg)
        result.local = run_local(cfg)
    return result
