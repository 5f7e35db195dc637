"""A strategy wrapper that remembers who took part in each round and what came of it.

Flower's strategies aggregate; they do not keep a per-round list of participating nodes,
which the audit trail needs. This wrapper delegates every decision to the wrapped strategy
(Flower's own) and only (1) adds ``server_round`` and the run's training settings to the
configs it sends, so agencies know which round they are in, and (2) notes node ids, metrics
and the latest aggregated parameters. It never looks at an individual update's values.
"""

from __future__ import annotations

from typing import Any

from flwr.common import (
    EvaluateIns,
    EvaluateRes,
    FitIns,
    FitRes,
    Parameters,
    Scalar,
)
from flwr.server.client_manager import ClientManager
from flwr.server.client_proxy import ClientProxy
from flwr.server.strategy import Strategy


def _plain(metrics: dict[str, Scalar]) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if isinstance(v, int | float | str | bool)}


class RecordingStrategy(Strategy):
    """Delegates to ``inner``; records participants and metrics round by round."""

    def __init__(
        self, inner: Strategy, *, fit_config: dict[str, Scalar], initial: Parameters
    ) -> None:
        super().__init__()
        self.inner = inner
        self.fit_config = dict(fit_config)
        self.latest: Parameters | None = initial
        self.participants: set[int] = set()
        self._rounds: dict[int, dict[str, Any]] = {}

    def _round(self, server_round: int) -> dict[str, Any]:
        return self._rounds.setdefault(server_round, {"round": server_round})

    def rounds_record(self) -> list[dict[str, Any]]:
        return [self._rounds[r] for r in sorted(self._rounds)]

    def initialize_parameters(self, client_manager: ClientManager) -> Parameters | None:
        return self.inner.initialize_parameters(client_manager)

    def configure_fit(
        self, server_round: int, parameters: Parameters, client_manager: ClientManager
    ) -> list[tuple[ClientProxy, FitIns]]:
        chosen = self.inner.configure_fit(server_round, parameters, client_manager)
        for _, ins in chosen:
            ins.config = {**ins.config, **self.fit_config, "server_round": server_round}
        nodes = [int(proxy.cid) for proxy, _ in chosen]
        self.participants.update(nodes)
        self._round(server_round)["fit"] = {"participants": sorted(nodes), "metrics": {}}
        return chosen

    def aggregate_fit(
        self,
        server_round: int,
        results: list[tuple[ClientProxy, FitRes]],
        failures: list[tuple[ClientProxy, FitRes] | BaseException],
    ) -> tuple[Parameters | None, dict[str, Scalar]]:
        params, metrics = self.inner.aggregate_fit(server_round, results, failures)
        if params is not None:
            self.latest = params
        fit = self._round(server_round).setdefault("fit", {"participants": []})
        fit["metrics"] = _plain(metrics)
        fit["results"], fit["failures"] = len(results), len(failures)
        return params, metrics

    def configure_evaluate(
        self, server_round: int, parameters: Parameters, client_manager: ClientManager
    ) -> list[tuple[ClientProxy, EvaluateIns]]:
        chosen = self.inner.configure_evaluate(server_round, parameters, client_manager)
        for _, ins in chosen:
            ins.config = {**ins.config, "server_round": server_round}
        return chosen

    def aggregate_evaluate(
        self,
        server_round: int,
        results: list[tuple[ClientProxy, EvaluateRes]],
        failures: list[tuple[ClientProxy, EvaluateRes] | BaseException],
    ) -> tuple[float | None, dict[str, Scalar]]:
        loss, metrics = self.inner.aggregate_evaluate(server_round, results, failures)
        self._round(server_round)["evaluate"] = {
            "participants": sorted(int(proxy.cid) for proxy, _ in results),
            "metrics": {**_plain(metrics), **({"loss": loss} if loss is not None else {})},
            "failures": len(failures),
        }
        return loss, metrics

    def evaluate(
        self, server_round: int, parameters: Parameters
    ) -> tuple[float, dict[str, Scalar]] | None:
        return self.inner.evaluate(server_round, parameters)
