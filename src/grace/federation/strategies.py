"""Flower's own aggregation strategies, configured for grace (no aggregation is re-implemented).

``make_strategy`` is the one place both the simulation and fl-deploy's ServerApp get a strategy:

* ``fedavg``  -> ``flwr.server.strategy.FedAvg`` (McMahan et al. 2017)
* ``fedprox`` -> ``flwr.server.strategy.FedProx``: FedAvg aggregation, and it sends
  ``proximal_mu`` to clients, which add the proximal term (``task.TrainConfig.proximal_mu``)
* ``trimmed`` -> ``flwr.server.strategy.FedTrimmedAvg``: coordinate-wise trimmed mean, dropping a
  fraction ``beta`` of updates at each end (resists up to ``beta * n`` malicious agencies)
* ``krum``    -> ``flwr.server.strategy.Krum`` (multi-Krum when ``krum_keep`` > 0)

``agency_dp`` wraps any of them in ``DifferentialPrivacyClientSideFixedClipping``: the server adds
Gaussian noise to the aggregate, and each ClientApp must run ``flwr.client.mod.fixedclipping_mod``
(placed after ``secaggplus_mod``), which clips its own update, so clipping also works when the
server only ever sees the SecAgg+ sum. Epsilon: ``privacy.agency_epsilon``.

These are the legacy (``flwr.server.strategy``) classes on purpose: in flwr 1.42 SecAgg+ exists
only in the legacy ``DefaultWorkflow``/``LegacyContext`` API (see shared/reference/flower.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flwr.common import NDArrays, Scalar, ndarrays_to_parameters
from flwr.server.strategy import (
    DifferentialPrivacyClientSideFixedClipping,
    FedAvg,
    FedProx,
    FedTrimmedAvg,
    Krum,
    Strategy,
)

from grace.federation.task import Params

StrategyName = Literal["fedavg", "fedprox", "trimmed", "krum"]
STRATEGIES: tuple[StrategyName, ...] = ("fedavg", "fedprox", "trimmed", "krum")
EvaluateFn = Callable[[int, NDArrays, dict[str, Scalar]], tuple[float, dict[str, Scalar]] | None]


@dataclass(frozen=True)
class AgencyDp:
    """Agency-level DP: clip each agency's update to ``clipping_norm``, noise ``sigma * C``."""

    noise_multiplier: float
    clipping_norm: float
    num_sampled_clients: int


def fit_config(
    *,
    epochs: int = 1,
    lr: float = 0.1,
    lr_decay: float = 1.0,
    batch_size: int = 32,
    dp_noise_multiplier: float = 0.0,
    dp_max_grad_norm: float = 1.0,
    dp_sample_rate: float = 0.0,
) -> Callable[[int], dict[str, Scalar]]:
    """``on_fit_config_fn`` sending local-training settings (keys read by ``GraceClient.fit``).

    The learning rate decays geometrically per round (``lr * lr_decay**(round-1)``): with
    DP-SGD a shrinking step averages out the noise of the last rounds.
    """

    def on_fit_config(server_round: int) -> dict[str, Scalar]:
        return {
            "server_round": server_round,
            "epochs": epochs,
            "lr": lr * lr_decay ** (server_round - 1),
            "batch_size": batch_size,
            "dp_noise_multiplier": dp_noise_multiplier,
            "dp_max_grad_norm": dp_max_grad_norm,
            "dp_sample_rate": dp_sample_rate,
        }

    return on_fit_config


def _weighted_accuracy(metrics: list[tuple[int, dict[str, Scalar]]]) -> dict[str, Scalar]:
    total = sum(n for n, _ in metrics)
    if total == 0:
        return {}
    return {"accuracy": sum(n * float(m.get("accuracy", 0.0)) for n, m in metrics) / total}


def make_strategy(
    name: StrategyName,
    *,
    min_clients: int,
    initial: Params,
    agency_dp: AgencyDp | None = None,
    fraction_fit: float = 1.0,
    fraction_evaluate: float = 0.0,
    evaluate_fn: EvaluateFn | None = None,
    on_fit_config_fn: Callable[[int], dict[str, Scalar]] | None = None,
    proximal_mu: float = 0.01,
    trim_beta: float = 0.2,
    num_malicious: int = 0,
    krum_keep: int = 0,
) -> Strategy:
    """Build Flower's strategy ``name``; waits for ``min_clients`` agencies every round.

    ``fraction_evaluate`` 0 skips federated evaluation (the simulation scores the global model
    centrally with ``evaluate_fn``); a deployment sets it to 1.0 so each agency reports accuracy
    on its own validation rows.
    """
    common: dict[str, object] = {
        "fraction_fit": fraction_fit,
        "fraction_evaluate": fraction_evaluate,
        "min_fit_clients": min_clients,
        "min_evaluate_clients": min_clients if fraction_evaluate > 0 else 0,
        "min_available_clients": min_clients,
        "evaluate_fn": evaluate_fn,
        "on_fit_config_fn": on_fit_config_fn or fit_config(),
        "on_evaluate_config_fn": None,
        "initial_parameters": ndarrays_to_parameters(list(initial)),
        "fit_metrics_aggregation_fn": _weighted_accuracy,
        "evaluate_metrics_aggregation_fn": _weighted_accuracy,
    }
    strategy: Strategy
    if name == "fedavg":
        strategy = FedAvg(**common)  # type: ignore[arg-type]
    elif name == "fedprox":
        strategy = FedProx(proximal_mu=proximal_mu, **common)  # type: ignore[arg-type]
    elif name == "trimmed":
        strategy = FedTrimmedAvg(beta=trim_beta, **common)  # type: ignore[arg-type]
    elif name == "krum":
        strategy = Krum(
            num_malicious_clients=num_malicious,
            num_clients_to_keep=krum_keep,
            **common,  # type: ignore[arg-type]
        )
    else:
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    if agency_dp is not None:
        strategy = DifferentialPrivacyClientSideFixedClipping(
            strategy,
            noise_multiplier=agency_dp.noise_multiplier,
            clipping_norm=agency_dp.clipping_norm,
            num_sampled_clients=agency_dp.num_sampled_clients,
        )
    return strategy
