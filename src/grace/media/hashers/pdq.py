"""PDQ (Meta's 256-bit perceptual image hash) and its eight dihedral variants.

``pdqhash`` wraps Meta's C++ core, so given the same pixels it gives the reference bits;
the variants come from the same DCT (one pass), in the order the C++ returns them.
The hex form is MSB-first, matching ThreatExchange, NCMEC and python-threatexchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pdqhash
from numpy.typing import NDArray

from grace.media.decode import DecodedMedia, MediaError
from grace.media.hashers.base import Hasher, HashValue

DIHEDRAL_NAMES = ("orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus", "flipminus")
"""Order of ``pdqhash.compute_dihedral``'s list (C++ pdqDihedralHash256esFromFloatLuma)."""


@dataclass(frozen=True)
class PdqResult:
    """Hash of the image as given, its quality (0-100) and all eight variants by name."""

    hex: str
    quality: int
    dihedral: dict[str, str]


def bits_to_hex(bits: NDArray[np.integer]) -> str:
    """pdqhash's 256-element 0/1 vector (MSB first) to 64 lowercase hex digits."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two equal-length hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def pdq_of_pixels(pixels: NDArray[np.uint8]) -> PdqResult:
    """PDQ of an H x W x 3 uint8 RGB array, at the size given (no resizing here)."""
    rgb = np.ascontiguousarray(pixels, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise MediaError(f"PDQ needs RGB pixels, got array shape {rgb.shape}")
    vectors, quality = pdqhash.compute_dihedral(rgb)
    hexes = [bits_to_hex(v) for v in vectors]
    return PdqResult(hexes[0], int(quality), dict(zip(DIHEDRAL_NAMES, hexes, strict=True)))


class PdqHasher(Hasher):
    """PDQ of still images. Values: variant "" is the hash; the others are dihedral."""

    name: ClassVar[str] = "pdq"
    version: ClassVar[str] = f"pdqhash-{pdqhash.__version__}"
    kinds: ClassVar[frozenset[str]] = frozenset({"image"})
    needs_colour: ClassVar[bool] = False

    def _compute(self, media: DecodedMedia) -> list[HashValue]:
        if media.pixels is None:
            raise MediaError("no pixels decoded for PDQ")
        result = pdq_of_pixels(media.pixels)
        values = [HashValue("pdq", result.hex, "", result.quality)]
        values += [
            HashValue("pdq", value, name, result.quality)
            for name, value in result.dihedral.items()
            if name != "orig"
        ]
        return values
