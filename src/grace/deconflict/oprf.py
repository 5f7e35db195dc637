"""RFC 9497 VOPRF (ristretto255-SHA512) glue over the ``voprf`` package.

The group arithmetic, hash-to-group, DLEQ proofs and batching are ``voprf``'s (a Rust core,
typed bindings); this module only moves bytes: the coordinator's per-epoch key derived with
RFC 9497 DeriveKeyPair from a seed kept in the workspace home, batches of blinded elements
packed as concatenated 32-byte strings, and the token a node keeps (SHA-256 of the OPRF
output, hex: shorter to index, and one more one-way step before anything is stored).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from voprf import ristretto

SUITE = "ristretto255-SHA512 VOPRF (RFC 9497)"
ELEMENT = 32  # a serialised ristretto255 element
MAX_BATCH = 8192  # below voprf's 2^16 - 1, and a request of ~350 kB in base64
SEED_FILE = "deconflict-oprf.seed"


class OprfError(ValueError):
    """A batch could not be evaluated or verified; the message is one line."""


def seed_path(home: Path) -> Path:
    return home / SEED_FILE


def create_seed(home: Path) -> bool:
    """Write the coordinator's 32-byte secret seed (0600, exclusive); False if it exists."""
    try:
        fd = os.open(seed_path(home), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_bytes(32))
        handle.flush()
        os.fsync(handle.fileno())
    return True


@lru_cache(maxsize=8)
def evaluator(seed_file: Path, epoch: int) -> ristretto.Evaluator:
    """The epoch's key: DeriveKeyPair(seed, info) with the epoch in ``info``."""
    try:
        seed = seed_file.read_bytes()
    except OSError as exc:
        raise OprfError("deconfliction coordinator is not set up on this workspace") from exc
    return ristretto.Evaluator.from_seed(seed, f"grace-deconflict epoch {epoch}".encode())


def public_key_hex(seed_file: Path, epoch: int) -> str:
    return evaluator(seed_file, epoch).public_key.serialize().hex()


def check_batch(packed: bytes) -> int:
    """The number of elements in a packed batch; refused unless 1 to MAX_BATCH of them."""
    if not packed or len(packed) % ELEMENT or len(packed) // ELEMENT > MAX_BATCH:
        raise OprfError(f"a batch is 1 to {MAX_BATCH} elements of {ELEMENT} bytes")
    return len(packed) // ELEMENT


def evaluate(seed_file: Path, epoch: int, packed: bytes) -> bytes:
    """Blind evaluation of a packed batch; returns the serialised outputs and one batched
    DLEQ proof for all of them (RFC 9497 BlindEvaluate with ComputeComposites)."""
    check_batch(packed)
    try:
        blinded = [
            ristretto.BlindedInput.deserialize(packed[i : i + ELEMENT])
            for i in range(0, len(packed), ELEMENT)
        ]
        return evaluator(seed_file, epoch).evaluate_batch(blinded).serialize()
    except ValueError as exc:
        raise OprfError("a blinded element is not a ristretto255 point") from exc


class Blinded:
    """A node's batch in flight: the blinds stay here, only the elements leave."""

    def __init__(self, inputs: Sequence[bytes]) -> None:
        pairs = [ristretto.Client.blind(item) for item in inputs]
        self._clients = [client for client, _ in pairs]
        self.packed = b"".join(element.serialize() for _, element in pairs)

    def finalize(self, evaluated: bytes, public_key: bytes) -> list[str]:
        """Unblind and check the coordinator's proof against its pinned public key."""
        try:
            outputs = ristretto.Client.finalize_batch(
                self._clients,
                ristretto.VerifiableBatchOutput.deserialize(evaluated),
                ristretto.PublicKey.deserialize(public_key),
            )
        except ValueError as exc:
            raise OprfError("the coordinator's proof does not verify: wrong key or forged") from exc
        return [token(output) for output in outputs]


def token(output: bytes) -> str:
    return hashlib.sha256(output).hexdigest()


def split_token(first: str, second: str) -> str:
    """The token under a key split between two evaluators: H(F_k1(x) ‖ F_k2(x)) (over the
    two outputs' digests). Neither evaluator alone can compute it for a guess."""
    joined = b"grace-deconflict split/v1" + bytes.fromhex(first) + bytes.fromhex(second)
    return hashlib.sha256(joined).hexdigest()
