"""Evidence vault: content-addressed, encrypted, verifiable storage of received bytes."""

from grace.vault.keys import VaultKeyError, load_or_create_key
from grace.vault.store import Digests, Vault, VaultError, digests, flush_to_disk

__all__ = [
    "Digests",
    "Vault",
    "VaultError",
    "VaultKeyError",
    "digests",
    "flush_to_disk",
    "load_or_create_key",
]
