"""What a hasher is: a class whose identity (name, version, media kinds) is constant.

Modelled on python-threatexchange's signal types: identity lives in class constants so a
stored hash can always say which algorithm and which version produced it, and an agency
can add PhotoDNA or an embedding model by writing one subclass and registering it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from grace.media.decode import DecodedMedia, decode_media


@dataclass(frozen=True)
class HashValue:
    """One hash of one file. ``variant`` tells apart several values of a kind (dihedral
    rotations, video frames); ``quality`` is the hasher's own confidence, if it has one."""

    kind: str
    value: str
    variant: str = ""
    quality: int | None = None


@dataclass(frozen=True)
class HashOptions:
    """Knobs shared by every hasher; hashers ignore those that do not concern them."""

    exact: bool = False
    vpdq_fps: float = 1.0
    every_frame: bool = False


class Hasher(ABC):
    """Base class. Subclasses set the three class constants and implement ``_compute``."""

    name: ClassVar[str]
    version: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    # Whether the hasher reads colour from decoded pixels. Hashers that use only luminance
    # (PDQ) or the bytes (digests) say False, so that when no registered hasher needs colour
    # a JPEG is decoded as luma only, which skips chroma decoding (about 10 % per image).
    needs_colour: ClassVar[bool] = True

    def __init__(self, options: HashOptions | None = None) -> None:
        self.options = options or HashOptions()

    def applies_to(self, media: DecodedMedia) -> bool:
        return media.kind in self.kinds

    def compute(self, media: DecodedMedia | bytes) -> list[HashValue]:
        """Hash decoded media, or raw bytes (decoded here with this hasher's options)."""
        if isinstance(media, bytes):
            media = decode_media(media, exact=self.options.exact)
        if not self.applies_to(media):
            return []
        return self._compute(media)

    @abstractmethod
    def _compute(self, media: DecodedMedia) -> list[HashValue]:
        """Produce this hasher's values; raise ``MediaError`` for a file it cannot read."""
