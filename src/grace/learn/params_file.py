"""A model version's parameters on disk: numeric arrays in one ``.npz``, written once.

No pickle either way (``allow_pickle=False`` on save and load): a parameters file may come
from another agency through a federated round, and unpickling it would let it run code
here. The SHA-256 of the file's bytes is recorded by the registry and checked on every
load, against the bytes actually parsed (read once, hashed, then parsed from memory), so a
file altered on disk, or swapped between the check and the use, is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np

MODELS_DIR = "models"


class RegistryError(Exception):
    """A registry request that cannot be met; the message says why, in one line."""


def encode(arrays: list[np.ndarray]) -> tuple[bytes, str]:
    """The ``.npz`` bytes of numeric arrays (in order) and their SHA-256.

    Object arrays would need pickle, so they are refused rather than stored.
    """
    buffer = io.BytesIO()
    named: dict[str, np.ndarray] = {}
    for i, arr in enumerate(arrays):
        arr = np.asarray(arr)
        if arr.dtype.kind not in "biuf":
            raise RegistryError(f"array {i} has dtype {arr.dtype}: only numeric arrays are stored")
        named[f"a{i:04d}"] = arr
    np.savez(buffer, allow_pickle=False, **named)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def write_new(path: Path, data: bytes) -> None:
    """Write once (never over an existing file), via a temporary name and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise RegistryError(f"parameters file {path.name} already exists")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read_checked(home: Path, relative: str, sha256: str, label: str) -> list[np.ndarray]:
    """The arrays of ``home/relative`` if its bytes still have the recorded SHA-256."""
    path = (home / relative).resolve()
    if not path.is_relative_to((home / MODELS_DIR).resolve()):
        raise RegistryError(f"{label}: parameters path leaves the models folder")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"{label}: parameters file unreadable: {exc}") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RegistryError(
            f"{label}: parameters file {relative} does not match its recorded SHA-256 "
            "(altered on disk?): refused"
        )
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return [npz[key] for key in sorted(npz.files)]
