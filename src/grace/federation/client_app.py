"""The ClientApp each agency's SuperNode runs: trains on that agency's own data only.

Node config (set by ``grace fl client``): ``workspace=<home>`` (the agency's grace
workspace: its training set and its records), ``agency=<name>``, and, for benign proxy data
in tests and demos, ``dataset=digits partition-id=i num-partitions=n``. Nothing here opens
any path but the agency's own workspace.

Mods, outermost first: Flower's ``secaggplus_mod`` (SecAgg+ masking, so the server never
sees this agency's update alone) and ``fixedclipping_mod`` (agency-level DP clipping). Each
runs only on the messages it is made for (SecAgg+ stages; a fit with a clipping norm from the
server's DP wrapper): in flwr 1.42 both raise on a plain FedAvg train message, and one
ClientApp must serve runs with and without SecAgg+ or DP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from flwr.app import Context, Message
from flwr.app.message_type import MessageType
from flwr.client import ClientApp, NumPyClient
from flwr.client.mod import fixedclipping_mod, secaggplus_mod
from flwr.clientapp.typing import ClientAppCallable
from flwr.common import NDArrays, Scalar
from flwr.common.secure_aggregation.secaggplus_constants import RECORD_KEY_CONFIGS
from flwr.compat.common import recorddict_compat as compat
from flwr.supercore.differential_privacy import KEY_CLIPPING_NORM
from numpy.typing import NDArray

from grace.federation import data
from grace.federation.client import GraceClient

TRAIN_FILE = "federation/train.npz"
Arrays = tuple[NDArray[np.float64], NDArray[np.int64]]


def agency_data(node_config: dict[str, Any], dataset: str) -> Arrays:
    """The agency's labelled training set: a file named by ``data=`` or its workspace export,
    else its partition of the benign proxy dataset. ``allow_pickle=False``: a file is data, not
    code. A file is preferred because Flower starts a fresh process for every message: reading
    an ``.npz`` costs milliseconds, building a partition imports scikit-learn (~2 s of CPU)."""
    home = node_config.get("workspace")
    candidates = [Path(str(node_config["data"]))] if node_config.get("data") else []
    candidates += [Path(str(home)) / TRAIN_FILE] if home else []
    for path in candidates:
        if path.exists():
            with np.load(path, allow_pickle=False) as npz:
                X, y = npz["X"], npz["y"]
                return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
    if "partition-id" in node_config:
        return data.load_partition(
            str(node_config.get("dataset", dataset)),
            int(node_config["partition-id"]),
            int(node_config.get("num-partitions", 1)),
            float(node_config.get("alpha", 0.5)),
        )
    raise ValueError("this SuperNode has no training data: set workspace= or partition-id=")


def _shape_of(params: NDArrays) -> dict[str, Any]:
    """What an agency may say about what it sent: shapes and bytes, never values."""
    return {
        "shapes": [list(p.shape) for p in params],
        "bytes": int(sum(p.nbytes for p in params)),
    }


class AgencyClient(NumPyClient):
    """fl-sim's ``GraceClient`` on this agency's rows, plus the agency's own record of its
    participation in its workspace (when it has one)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        run = context.run_config
        X, y = agency_data(dict(context.node_config), str(run.get("dataset", "digits")))
        (X_tr, y_tr), (X_val, y_val) = data.split_validation(X, y)
        self.inner = GraceClient(X_tr, y_tr, X_val, y_val)

    def fit(
        self, parameters: NDArrays, config: dict[str, Scalar]
    ) -> tuple[NDArrays, int, dict[str, Scalar]]:
        new, n, metrics = self.inner.fit(parameters, config)
        self._record("fit", config, {**_shape_of(new), "num_examples": n})
        return new, n, metrics

    def evaluate(
        self, parameters: NDArrays, config: dict[str, Scalar]
    ) -> tuple[float, int, dict[str, Scalar]]:
        loss, n, metrics = self.inner.evaluate(parameters, config)
        server_round = int(config.get("server_round", 0))
        if server_round and server_round >= int(self.context.run_config.get("num-rounds", 0)):
            params = [np.asarray(p, dtype=np.float64) for p in parameters]
            self._receive_global(
                params, {"loss": loss, **{k: float(v) for k, v in metrics.items()}}
            )
        return loss, n, metrics

    def _home(self) -> Path | None:
        home = self.context.node_config.get("workspace")
        return Path(str(home)) if home else None

    def _record(self, phase: str, config: dict[str, Scalar], sent: dict[str, Any]) -> None:
        home = self._home()
        if home is None:
            return
        from grace.federation import records  # only agencies with a workspace pay the import

        records.record_participation(
            home,
            agency=str(self.context.node_config.get("agency", "")),
            run_id=str(self.context.run_id),
            run_config=dict(self.context.run_config),
            server_round=int(config.get("server_round", 0)),
            phase=phase,
            sent=sent,
        )

    def _receive_global(self, params: NDArrays, metrics: dict[str, float]) -> None:
        """The final global model reaches every agency here; it enters the agency's own
        registry as a candidate, which the agency may activate, decline or roll back."""
        home = self._home()
        if home is None:
            return
        from grace.federation import records

        records.receive_global_model(
            home,
            agency=str(self.context.node_config.get("agency", "")),
            run_id=str(self.context.run_id),
            run_config=dict(self.context.run_config),
            params=list(params),
            metrics=metrics,
        )


def clipping_if_asked(msg: Message, ctxt: Context, call_next: ClientAppCallable) -> Message:
    """Flower's ``fixedclipping_mod`` on train messages that carry a clipping norm."""
    if msg.metadata.message_type == MessageType.TRAIN:
        config = compat.recorddict_to_fitins(msg.content, keep_input=True).config
        if KEY_CLIPPING_NORM in config:
            clipped: Message = fixedclipping_mod(msg, ctxt, call_next)
            return clipped
    return call_next(msg, ctxt)


def secagg_if_asked(msg: Message, ctxt: Context, call_next: ClientAppCallable) -> Message:
    """Flower's ``secaggplus_mod`` on SecAgg+ messages; plain FedAvg train messages (no
    SecAgg+ config record) go straight through, as the mod would raise on them."""
    if RECORD_KEY_CONFIGS in msg.content.config_records:
        masked: Message = secaggplus_mod(msg, ctxt, call_next)
        return masked
    return call_next(msg, ctxt)


def client_fn(context: Context) -> Any:
    return AgencyClient(context).to_client()


app = ClientApp(client_fn=client_fn, mods=[secagg_if_asked, clipping_if_asked])
