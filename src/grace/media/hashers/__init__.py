"""The hasher registry: which algorithms run on which kind of media.

Built-in: crypto digests, PDQ and vPDQ. An agency adds its own (PhotoDNA under licence,
an embedding model) by subclassing ``Hasher`` and calling ``register`` at import time;
``grace hash`` and analysis then run it on every file of a matching kind.
"""

from __future__ import annotations

from grace.media.hashers.base import Hasher, HashOptions, HashValue
from grace.media.hashers.crypto import CryptoHasher
from grace.media.hashers.pdq import PdqHasher
from grace.media.hashers.video import VpdqHasher

__all__ = [
    "HashOptions",
    "HashValue",
    "Hasher",
    "HasherRegistry",
    "registry",
]


class HasherRegistry:
    """Hasher classes by name, in registration order (the order their values are listed)."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Hasher]] = {}

    def register(self, cls: type[Hasher]) -> type[Hasher]:
        """Add a hasher class; usable as a decorator. A name can be registered once."""
        for attr in ("name", "version", "kinds"):
            if not hasattr(cls, attr):
                raise TypeError(f"{cls.__name__} lacks the class constant {attr!r}")
        if cls.name in self._classes and self._classes[cls.name] is not cls:
            raise ValueError(f"a hasher named {cls.name!r} is already registered")
        self._classes[cls.name] = cls
        return cls

    def unregister(self, name: str) -> None:
        self._classes.pop(name, None)

    def names(self) -> list[str]:
        return list(self._classes)

    def get(self, name: str) -> type[Hasher]:
        return self._classes[name]

    def needs_colour(self, kind: str) -> bool:
        """Whether any hasher registered for ``kind`` reads colour from decoded pixels."""
        return any(cls.needs_colour for cls in self._classes.values() if kind in cls.kinds)

    def for_kind(self, kind: str, options: HashOptions | None = None) -> list[Hasher]:
        """Instances of every registered hasher that applies to ``kind``."""
        return [cls(options) for cls in self._classes.values() if kind in cls.kinds]


registry = HasherRegistry()
for _builtin in (CryptoHasher, PdqHasher, VpdqHasher):
    registry.register(_builtin)
