"""A synthetic population of 256-bit hashes that behaves like real perceptual hashes.

Why not uniform random codes: real PDQ hashes are signs of DCT coefficients of natural images,
so their bits are correlated (neighbouring frequencies move together, a few global factors such
as brightness gradients move many bits at once), and viral items arrive as thousands of
near-copies of one picture. Uniform codes hide both effects, and both hurt multi-index hashing:
correlated bits make some 16-bit substrings far more common than others (crowded buckets), and a
cluster puts thousands of rows into the same buckets of every table.

Model (all benign numbers, no images): bit ``(u, v)`` of the 16 x 16 grid (row-major, byte
order of the hash) is the sign of ``g . z + row_u . a + col_v . b + noise`` with per-image
Gaussian factors ``z`` (global), ``a`` (one set per row) and ``b`` (one per column); so bits
in a row, in a column and across the whole grid are correlated, as in a 2-D DCT. On top:
``templates`` (edited versions of a smaller set of pictures, 6-24 bits apart) and Zipf-sized
clusters of near-copies (0-``spread`` bits from their centre).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
GLOBAL, LOCAL = 6, 3


class LatentModel:
    """Correlated-bit generator (one fixed set of loadings per seed)."""

    def __init__(self, rng: np.random.Generator, noise: float = 0.6) -> None:
        # One loading matrix [bit, factor]: the global factors load on every bit, row u's
        # factors only on row u's bits, column v's only on column v's (one matmul per batch).
        u, v = np.divmod(np.arange(256), 16)
        load = np.zeros((256, GLOBAL + 32 * LOCAL), np.float32)
        load[:, :GLOBAL] = rng.normal(size=(256, GLOBAL))
        for k in range(LOCAL):
            load[np.arange(256), GLOBAL + u * LOCAL + k] = rng.normal(size=256)
            load[np.arange(256), GLOBAL + 16 * LOCAL + v * LOCAL + k] = rng.normal(size=256)
        self.load_t = np.ascontiguousarray(load.T)
        self.noise = np.float32(noise * 3.0)

    def sample(self, rng: np.random.Generator, n: int) -> U8:
        out = np.empty((n, 32), np.uint8)
        for s in range(0, n, 100_000):
            m = min(100_000, n - s)
            z = rng.standard_normal((m, self.load_t.shape[0]), dtype=np.float32)
            x = z @ self.load_t
            x += rng.standard_normal(x.shape, dtype=np.float32) * self.noise
            out[s : s + m] = np.packbits(x > 0, axis=1)
        return out


def flip_bits(rng: np.random.Generator, codes: U8, counts: Any) -> None:
    """Flip up to ``counts[i]`` random bits of ``codes[i]`` in place (a position drawn twice
    is flipped once, so a few rows get one bit fewer: the data, not a label, is the truth)."""
    c_all = np.broadcast_to(np.asarray(counts), (codes.shape[0],))
    for s in range(0, codes.shape[0], 200_000):
        part = codes[s : s + 200_000]
        c = c_all[s : s + 200_000]
        kmax = int(c.max()) if c.size else 0
        if kmax == 0:
            continue
        pos = rng.integers(0, 256, (part.shape[0], kmax))
        rows = np.broadcast_to(np.arange(part.shape[0])[:, None], pos.shape)
        live = np.arange(kmax)[None, :] < c[:, None]
        flips = np.zeros((part.shape[0], 256), bool)
        flips[rows[live], pos[live]] = True
        part ^= np.packbits(flips, axis=1)


def zipf_sizes(rng: np.random.Generator, total: int, biggest: int, a: float = 1.1) -> list[int]:
    """Cluster sizes ``biggest / rank**a`` (>= 2) until they add up to ``total``."""
    sizes: list[int] = []
    rank = 1
    while sum(sizes) < total:
        sizes.append(max(2, int(biggest / rank**a)))
        rank += 1
    sizes[-1] -= sum(sizes) - total
    return [s for s in sizes if s > 0]


def population(
    rng: np.random.Generator,
    n: int,
    *,
    clustered: float = 0.15,
    templated: float = 0.15,
    biggest: int = 20_000,
    spread: int = 6,
    model_seed: int = 7,
) -> tuple[U8, U8]:
    """``n`` hashes (shuffled) and the centres of their clusters, biggest first."""
    model = LatentModel(np.random.default_rng(model_seed))
    n_clu = int(n * clustered)
    n_tpl = int(n * templated)
    base = model.sample(rng, n - n_clu - n_tpl)
    protos = model.sample(rng, max(1, n_tpl // 20))
    tpl = protos[rng.integers(0, len(protos), n_tpl)]
    flip_bits(rng, tpl, rng.integers(6, 25, n_tpl))
    sizes = zipf_sizes(rng, n_clu, min(biggest, max(n_clu, 2)))
    centres = model.sample(rng, len(sizes))
    clu = np.repeat(centres, sizes, axis=0)
    flip_bits(rng, clu, rng.integers(0, spread + 1, len(clu)))
    data = np.concatenate([base, tpl, clu])
    return data[rng.permutation(n)], centres


def queries(
    rng: np.random.Generator, data: U8, nq: int, max_flips: int = 31, model_seed: int = 7
) -> U8:
    """Half stored hashes with 0..``max_flips`` bits flipped, half fresh draws (misses)."""
    half = nq // 2
    near = data[rng.integers(0, len(data), half)].copy()
    flip_bits(rng, near, rng.integers(0, max_flips + 1, half))
    fresh = LatentModel(np.random.default_rng(model_seed)).sample(rng, nq - half)
    return np.concatenate([near, fresh])
