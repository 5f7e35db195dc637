"""The media pool: a Zipf-ranked set of base images and the variants shared from them.

Real referral streams are dominated by re-reported material (Meta: more than 90% of what
it reported was the same as or visually similar to earlier reports; a handful of viral
items make up half). The pool reproduces that shape cheaply: base images are ranked,
draws follow a bounded Zipf law, and a repeated draw is a near-duplicate variant some of
the time. Bytes are produced lazily and cached per (base, transform, parameter), so exact
duplicates are byte-identical and each combination is encoded once.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from grace.demo.images import EXT, TRANSFORMS, decode, encode, render_base, transform

VIRAL_RANKS = 6
CONFORMANCE_RANKS = (9, 17, 28, 44)
BRIDGE = "bridge-mods/aaa-orig.jpg"
# Ready-made edits of the bridge photo: the bridge-mods folder, plus the same photo saved
# in several Pillow modes (PDQ puts every one within 16 bits of aaa-orig.jpg, so they are
# one base; modes/original.jpg is byte-identical to aaa-orig.jpg and is left out).
BRIDGE_EDIT_GLOB = "bridge-mods/*.jpg"
BRIDGE_MODE_EDITS = (
    "misc-images/modes/RGB.jpg",
    "misc-images/modes/CMYK.jpg",
    "misc-images/modes/P.png",
    "misc-images/modes/L.png",
    "misc-images/modes/YCbCr.jpg",
    "misc-images/modes/1.png",
)
# Photos unrelated to the bridge and to each other (checked: > 31 bits apart under PDQ).
OTHER_CONFORMANCE = ("misc-images/small.jpg", "misc-images/wee.jpg", "misc-images/c.png")
EDIT = "conformance-edit"


@dataclass(frozen=True)
class MediaItem:
    """One distinct encoded file and where it came from."""

    data: bytes
    ext: str
    base_id: str
    transform: str
    param: str
    sha256: str
    md5: str
    sha1: str


@dataclass
class Base:
    """A base image: its rank in the pool, kind, and whether hash lists know it."""

    base_id: str
    rank: int
    kind: str  # scene, pattern, card, conformance
    known: bool
    viral: bool
    source: Path | None = None  # conformance photo, read in place
    # ready-made near-duplicates of a conformance photo, by path under the conformance root
    premade: dict[str, Path] = field(default_factory=dict)


def find_conformance(explicit: Path | None) -> Path | None:
    """The PDQ conformance folder: the one given, ``$GRACE_CONFORMANCE_DIR/pdq``, else one
    next to the repository or the working directory (benign photos, read in place)."""
    if explicit is not None:
        return explicit if explicit.is_dir() else None
    configured = os.environ.get("GRACE_CONFORMANCE_DIR")
    if configured and (Path(configured) / "pdq").is_dir():
        return Path(configured) / "pdq"
    here = Path(__file__).resolve().parents[3]
    for root in (here, Path.cwd()):
        for candidate in (root.parent / "shared/conformance/pdq", root / "shared/conformance/pdq"):
            if candidate.is_dir():
                return candidate
    return None


class MediaPool:
    """Draws media for referrals; remembers every distinct file it produced."""

    def __init__(
        self,
        seed: int,
        size: int,
        rng: random.Random,
        conformance: Path | None = None,
        zipf_s: float = 1.1,
        variant_share: float = 0.4,
    ) -> None:
        self.seed = seed
        self.rng = rng
        self.np_rng = np.random.default_rng([seed, 1])
        self.variant_share = variant_share
        weights = 1.0 / np.arange(1, size + 1, dtype=np.float64) ** zipf_s
        self.p = weights / weights.sum()
        self._cdf = self.p.cumsum()
        self._cdf /= self._cdf[-1]
        self._by_id: dict[str, Base] = {}
        self.bases = [self._make_base(rank, size) for rank in range(size)]
        if conformance is not None:
            self._add_conformance(conformance)
        self.items: dict[str, MediaItem] = {}  # sha256 -> item
        self._by_key: dict[tuple[str, str, str], MediaItem] = {}
        self._images: OrderedDict[str, tuple[Image.Image, str]] = OrderedDict()  # small LRU
        self.seen: set[str] = set()

    def _make_base(self, rank: int, size: int) -> Base:
        viral = rank < VIRAL_RANKS
        kind = (
            "card" if viral else self.rng.choice(("scene", "scene", "scene", "pattern", "pattern"))
        )
        known = self.rng.random() < (0.95 if rank < max(10, size // 7) else 0.3)
        return Base(f"B{rank:05d}", rank, kind, known, viral)

    def _add_conformance(self, root: Path) -> None:
        paths = [root / BRIDGE, *(root / p for p in OTHER_CONFORMANCE)]
        for rank, path in zip(CONFORMANCE_RANKS, paths, strict=False):
            if rank >= len(self.bases) or not path.is_file():
                continue
            premade: dict[str, Path] = {}
            if path.name == "aaa-orig.jpg":
                edits = [*root.glob(BRIDGE_EDIT_GLOB), *(root / p for p in BRIDGE_MODE_EDITS)]
                premade = {
                    p.relative_to(root).as_posix(): p
                    for p in sorted(edits)
                    if p != path and p.is_file()
                }
            base = self.bases[rank]
            base.kind, base.source, base.premade = "conformance", path, premade
            base.base_id = f"C{rank:05d}-{path.stem}"

    def draw(self) -> tuple[MediaItem, bool]:
        """One file for a referral, and whether its base image was drawn before."""
        # The same draw as ``np_rng.choice(len(p), p=p)``, without its O(pool) set-up per call.
        index = int(self._cdf.searchsorted(self.np_rng.random(), side="right"))
        base = self.bases[min(index, len(self.bases) - 1)]
        repeat = base.base_id in self.seen
        self.seen.add(base.base_id)
        key = (base.base_id, "original", "")
        if repeat and self.rng.random() < self.variant_share:
            if base.premade and self.rng.random() < 0.6:
                key = (base.base_id, EDIT, self.rng.choice(sorted(base.premade)))
            else:
                name = self.rng.choice(sorted(TRANSFORMS))
                key = (base.base_id, name, self.rng.choice(TRANSFORMS[name]))
        return self._materialise(base, key), repeat

    def draw_fresh(self) -> tuple[MediaItem, bool]:
        """An original of a base nobody has drawn and no hash list knows (newly produced
        material), from the pool's tail; an ordinary draw when no such base turns up."""
        for _ in range(20):
            base = self.bases[self.rng.randrange(len(self.bases) // 2, len(self.bases))]
            if base.base_id not in self.seen and not base.known:
                self.seen.add(base.base_id)
                return self._materialise(base, (base.base_id, "original", "")), False
        return self.draw()

    def base(self, base_id: str) -> Base:
        """Look a base up by id."""
        if len(self._by_id) != len(self.bases):
            self._by_id = {b.base_id: b for b in self.bases}
        return self._by_id[base_id]

    def _image(self, base: Base) -> tuple[Image.Image, str]:
        """The decoded base image; a small LRU keeps memory flat (popular bases stay)."""
        if base.base_id in self._images:
            self._images.move_to_end(base.base_id)
            return self._images[base.base_id]
        if base.source is not None:
            fmt = "PNG" if base.source.suffix.lower() == ".png" else "JPEG"
            entry = (decode(base.source.read_bytes()), fmt)
        else:
            entry = render_base(self.seed, base.rank, base.kind)
        self._images[base.base_id] = entry
        if len(self._images) > 48:
            self._images.popitem(last=False)
        return entry

    def _materialise(self, base: Base, key: tuple[str, str, str]) -> MediaItem:
        if key in self._by_key:
            return self._by_key[key]
        _, name, param = key
        if base.source is not None and name in (EDIT, "original"):
            path = base.source if name == "original" else base.premade[param]
            data, ext = path.read_bytes(), path.suffix.lstrip(".").lower()
        else:
            img, fmt = self._image(base)
            data, fmt = (
                (encode(img, fmt), fmt) if name == "original" else transform(img, fmt, name, param)
            )
            ext = EXT[fmt]
        item = MediaItem(
            data,
            ext,
            base.base_id,
            name,
            param,
            hashlib.sha256(data).hexdigest(),
            hashlib.md5(data).hexdigest(),
            hashlib.sha1(data).hexdigest(),
        )
        self._by_key[key] = item
        self.items.setdefault(item.sha256, item)
        return item
