"""The model every agency trains: multinomial logistic regression (softmax) in numpy.

Why softmax regression and why hand-written: it is the classifier head grace puts on embeddings
(learn's heads are the same shape), it trains in milliseconds so a 10-agency round stays well
under a second in-process, and its per-example gradient has a closed form
(``x_i (p_i - y_i)^T``), which makes record-level DP-SGD (per-example clipping + Gaussian noise)
exact and cheap without pulling in PyTorch/Opacus. scikit-learn's ``LogisticRegression`` has no
per-example gradients, no proximal term and no warm start from federated weights, so it cannot be
the local optimiser here.

Interface (stable; used by fl-deploy's ``client_app.py``/``server_app.py`` and by ``grace learn``):
``Params = list[np.ndarray]`` is ``[W (n_features, n_classes) float64, b (n_classes,) float64]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Params = list[NDArray[np.float64]]


@dataclass(frozen=True)
class TrainConfig:
    """How one agency trains locally for one round.

    ``proximal_mu`` > 0 adds FedProx's term ``mu/2 ||w - w_global||^2`` (the ``w_global`` being
    the parameters the round started from). ``dp_noise_multiplier`` set turns on DP-SGD: Poisson
    sampling with rate ``batch_size / n``, per-example clipping to ``dp_max_grad_norm`` and
    Gaussian noise ``N(0, (sigma * C)^2)`` on the summed gradient (Abadi et al. 2016).
    ``dp_sample_rate`` (DP only) replaces ``batch_size / n`` by one rate shared by all agencies,
    so small agencies do not get a larger epsilon than large ones (``ceil(1/q)`` steps/epoch).
    """

    epochs: int = 1
    lr: float = 0.1
    batch_size: int = 32
    proximal_mu: float = 0.0
    dp_noise_multiplier: float | None = None
    dp_max_grad_norm: float = 1.0
    seed: int = 0
    dp_sample_rate: float | None = None


def init_params(n_features: int, n_classes: int, seed: int = 0) -> Params:
    """Small random weights (seeded) so every party starts from the same point."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.01, size=(n_features, n_classes))
    return [weights.astype(np.float64), np.zeros(n_classes, dtype=np.float64)]


def _softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return out


def predict_proba(params: Params, X: NDArray[np.floating]) -> NDArray[np.float64]:
    """Class probabilities, shape (n, n_classes)."""
    return _softmax(np.asarray(X, dtype=np.float64) @ params[0] + params[1])


def evaluate(params: Params, X: NDArray[np.floating], y: NDArray[np.integer]) -> dict[str, float]:
    """Mean cross-entropy loss and accuracy; an empty set scores 0 rather than failing."""
    if len(y) == 0:
        return {"loss": 0.0, "accuracy": 0.0}
    proba = predict_proba(params, X)
    picked = proba[np.arange(len(y)), y]
    loss = float(-np.mean(np.log(np.clip(picked, 1e-12, None))))
    accuracy = float(np.mean(proba.argmax(axis=1) == y))
    return {"loss": loss, "accuracy": accuracy}


def _residuals(
    params: Params, X: NDArray[np.float64], y: NDArray[np.integer]
) -> NDArray[np.float64]:
    """``p - onehot(y)``: the per-example gradient of the loss w.r.t. the logits."""
    residual = predict_proba(params, X)
    residual[np.arange(len(y)), y] -= 1.0
    return residual


def _plain_step(
    params: Params, X: NDArray[np.float64], y: NDArray[np.integer]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    residual = _residuals(params, X, y)
    return X.T @ residual / len(y), residual.mean(axis=0)


def _dp_step(
    params: Params,
    X: NDArray[np.float64],
    y: NDArray[np.integer],
    expected_batch: float,
    config: TrainConfig,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """DP-SGD gradient: clip each example's gradient, sum, add noise, divide by E[batch].

    The per-example gradient is the outer product ``[x_i, 1] (p_i - y_i)^T``, so its Frobenius
    norm is ``||p_i - y_i|| * sqrt(||x_i||^2 + 1)``: clipping needs no per-example matrices.
    """
    sigma = float(config.dp_noise_multiplier or 0.0)
    clip = config.dp_max_grad_norm
    n_features, n_classes = params[0].shape
    grad_w = np.zeros((n_features, n_classes))
    grad_b = np.zeros(n_classes)
    if len(y):
        residual = _residuals(params, X, y)
        norms = np.linalg.norm(residual, axis=1) * np.sqrt(np.sum(X * X, axis=1) + 1.0)
        scale = np.minimum(1.0, clip / np.maximum(norms, 1e-12))
        residual = residual * scale[:, None]
        grad_w = X.T @ residual
        grad_b = residual.sum(axis=0)
    grad_w = grad_w + rng.normal(0.0, sigma * clip, size=grad_w.shape)
    grad_b = grad_b + rng.normal(0.0, sigma * clip, size=grad_b.shape)
    return grad_w / expected_batch, grad_b / expected_batch


def train(
    params: Params, X: NDArray[np.floating], y: NDArray[np.integer], config: TrainConfig
) -> tuple[Params, dict[str, float]]:
    """Local SGD from ``params``; returns new params and metrics (loss, accuracy, steps, rate).

    ``steps`` and ``sample_rate`` are what the record-level accountant needs
    (``grace.federation.privacy.record_epsilon``).
    """
    X64 = np.asarray(X, dtype=np.float64)
    y_int = np.asarray(y, dtype=np.int64)
    n = len(y_int)
    start = [p.copy() for p in params]
    weights, bias = params[0].copy(), params[1].copy()
    rng = np.random.default_rng(config.seed)
    dp = config.dp_noise_multiplier is not None
    batch = max(1, min(config.batch_size, n)) if n else 1
    rate = batch / n if n else 0.0
    steps_per_epoch = int(np.ceil(n / batch)) if n else 0
    if dp and config.dp_sample_rate is not None and n:
        rate = config.dp_sample_rate
        steps_per_epoch = int(np.ceil(1.0 / rate))
    steps = 0
    for _ in range(config.epochs):
        order = rng.permutation(n)
        for step in range(steps_per_epoch):
            if dp:
                # Poisson sampling: the subsampled-Gaussian accountant assumes it.
                idx = np.flatnonzero(rng.random(n) < rate)
                gw, gb = _dp_step([weights, bias], X64[idx], y_int[idx], rate * n, config, rng)
            else:
                idx = order[step * batch : (step + 1) * batch]
                gw, gb = _plain_step([weights, bias], X64[idx], y_int[idx])
            if config.proximal_mu > 0:
                gw = gw + config.proximal_mu * (weights - start[0])
                gb = gb + config.proximal_mu * (bias - start[1])
            weights -= config.lr * gw
            bias -= config.lr * gb
            steps += 1
    new = [weights, bias]
    metrics = evaluate(new, X64, y_int) if n else {"loss": 0.0, "accuracy": 0.0}
    metrics.update({"steps": float(steps), "sample_rate": float(rate), "num_examples": float(n)})
    return new, metrics
