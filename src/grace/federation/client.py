"""``GraceClient``: one agency's Flower ``NumPyClient`` over its own rows only.

Used unchanged by the in-process simulation (``grace.federation.simulate``) and by the deployed
ClientApp (fl-deploy's ``client_app.py``), always as ``GraceClient(...).to_client()`` inside a
``flwr.clientapp.ClientApp`` so Flower's mods (``secaggplus_mod``, ``fixedclipping_mod``) wrap it.

Fit config keys honoured (all optional, sent by the strategy's ``on_fit_config_fn``; see
``strategies.fit_config``): ``epochs``, ``lr``, ``batch_size``, ``proximal_mu`` (FedProx sends it
itself), ``dp_noise_multiplier`` (> 0 turns on record-level DP-SGD), ``dp_max_grad_norm``,
``dp_sample_rate`` (0 = ``batch_size / n``), ``server_round`` (varies the local seed per round).
Fit metrics returned: ``loss``, ``accuracy`` (on the agency's training rows), ``steps``,
``sample_rate`` (for the record-level accountant).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from flwr.client import NumPyClient
from flwr.common import NDArrays, Scalar
from numpy.typing import NDArray

from grace.federation.task import Params, TrainConfig, evaluate, train


def config_from_fit_ins(base: TrainConfig, config: dict[str, Scalar]) -> TrainConfig:
    """Overlay the server's fit config onto the agency's defaults (unknown keys ignored)."""
    noise = float(config.get("dp_noise_multiplier", base.dp_noise_multiplier or 0.0))
    return replace(
        base,
        epochs=int(config.get("epochs", base.epochs)),
        lr=float(config.get("lr", base.lr)),
        batch_size=int(config.get("batch_size", base.batch_size)),
        proximal_mu=float(config.get("proximal_mu", base.proximal_mu)),
        dp_noise_multiplier=noise if noise > 0 else None,
        dp_max_grad_norm=float(config.get("dp_max_grad_norm", base.dp_max_grad_norm)),
        seed=base.seed * 100_003 + int(config.get("server_round", 0)),
        dp_sample_rate=float(rate) if (rate := config.get("dp_sample_rate", 0.0)) else None,
    )


class GraceClient(NumPyClient):
    """Trains and evaluates the shared model on one agency's data, which never leaves it.

    ``poison_scale`` exists only for robustness experiments: a malicious agency returns
    ``global + poison_scale * (local - global)`` (e.g. -10: its update sign-flipped and scaled).
    """

    def __init__(
        self,
        X: NDArray[np.float64],
        y: NDArray[np.int64],
        X_val: NDArray[np.float64],
        y_val: NDArray[np.int64],
        config: TrainConfig | None = None,
        *,
        poison_scale: float | None = None,
    ) -> None:
        self.X, self.y, self.X_val, self.y_val = X, y, X_val, y_val
        self.train_config = config or TrainConfig()
        self.poison_scale = poison_scale

    def get_parameters(self, config: dict[str, Scalar]) -> NDArrays:
        """Not used (the server always supplies initial parameters); shape-correct zeros."""
        n_classes = int(max(self.y.max(initial=0), self.y_val.max(initial=0))) + 1
        return [np.zeros((self.X.shape[1], n_classes)), np.zeros(n_classes)]

    def fit(
        self, parameters: NDArrays, config: dict[str, Scalar]
    ) -> tuple[NDArrays, int, dict[str, Scalar]]:
        """One round of local training from the global parameters."""
        start: Params = [np.asarray(p, dtype=np.float64) for p in parameters]
        local, metrics = train(
            start, self.X, self.y, config_from_fit_ins(self.train_config, config)
        )
        if self.poison_scale is not None:
            local = [g + self.poison_scale * (p - g) for p, g in zip(local, start, strict=True)]
        out: dict[str, Scalar] = {k: float(v) for k, v in metrics.items()}
        return list(local), len(self.y), out

    def evaluate(
        self, parameters: NDArrays, config: dict[str, Scalar]
    ) -> tuple[float, int, dict[str, Scalar]]:
        """Loss and accuracy of the global model on the agency's own validation rows."""
        params: Params = [np.asarray(p, dtype=np.float64) for p in parameters]
        result = evaluate(params, self.X_val, self.y_val)
        return result["loss"], len(self.y_val), {"accuracy": result["accuracy"]}
