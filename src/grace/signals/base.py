"""The common shape of a signal model: a name, a version, and ``analyse(item) -> dict``.

Models are expensive to load (an ONNX session parses tens of MB of weights), so each one
loads lazily, once per process, behind a lock: threads share the loaded session (ONNX
Runtime sessions are safe to run concurrently) and worker processes each load their own,
as nothing loaded is ever pickled between processes. Every model's weights ship inside a
pinned package and are read from that package's files: no code path that downloads is
called, and the offline switches below are set before any model library is imported.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from importlib import metadata
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")  # what a model analyses: a PIL image, or a text
S = TypeVar("S")  # what a model loads: its session(s)

THREADS_ENV = "GRACE_SIGNALS_THREADS"
"""Threads per ONNX Runtime session (default: ONNX Runtime's, one per core)."""
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
}


def ensure_offline() -> None:
    """Set the hub libraries' offline switches (kept if the operator set them already)."""
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)


class ModelUnavailable(RuntimeError):
    """A model's package or weights are missing or altered; the message says which."""


def package_version(distribution: str) -> str:
    """The installed version of the package that ships a model's weights."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"package {distribution!r} is not installed") from exc


class SignalModel(ABC, Generic[T, S]):
    """A named, versioned model, loaded on first use and shared by the process's threads."""

    name: ClassVar[str]
    version: ClassVar[str]
    """Bumped whenever preprocessing or output meaning changes (stored with every row)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: S | None = None

    def loaded(self) -> S:
        """The model's sessions, loading them the first time (double-checked lock)."""
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    ensure_offline()
                    self._loaded = self._load()
        return self._loaded

    @abstractmethod
    def _load(self) -> S:
        """Build the sessions from the package's own files; never downloads."""

    @abstractmethod
    def analyse(self, item: T) -> dict[str, Any]:
        """JSON-ready facts about ``item`` (numpy arrays only under ``embedding``)."""

    def describe(self) -> str:
        """``name@version``, as stored beside the values it produced."""
        return f"{self.name}@{self.version}"
