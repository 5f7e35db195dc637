"""Entropy-balancing bit permutation for the substring tables (Norouzi et al., 2014).

Why: multi-index hashing is fast only while each 16-bit substring spreads the hashes evenly
over its 65,536 buckets. Real perceptual hashes have correlated bits (PDQ's bits are signs of
neighbouring DCT coefficients, and one brightness gradient flips many of them together), so
substrings cut from consecutive bits take far fewer values and their buckets crowd; every
query then reads more candidates. A bit permutation keeps Hamming distances exact, so the
tables may be cut from permuted bits: this module picks one that puts weakly correlated bits
together (greedy assignment on the absolute bit correlations of a sample), which raises the
substrings' entropy. Stored hashes stay in their original bit order; only the table keys and
partner fingerprints use the permutation, and each query's keys are permuted the same way.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from grace.matching import _kernels as K

SAMPLE = 1 << 16
"""Rows sampled (evenly spaced) to estimate the bit correlations."""

U64 = npt.NDArray[np.uint64]


def balanced_permutation(words: U64) -> npt.NDArray[np.int16]:
    """``perm`` with ``perm[j]`` = original bit (``np.unpackbits`` order) of permuted bit ``j``.

    Greedy: bits in decreasing order of total correlation each join the substring (with room
    left) they correlate with least. Deterministic for given data.
    """
    n = words.shape[0]
    rows = np.linspace(0, n - 1, min(n, SAMPLE)).astype(np.int64)
    bits = np.unpackbits(words[rows].view(np.uint8), axis=1).astype(np.float32)
    bits -= bits.mean(axis=0)
    norm = np.sqrt((bits * bits).sum(axis=0))
    norm[norm == 0] = 1.0
    corr = np.abs((bits.T @ bits) / np.outer(norm, norm))
    np.fill_diagonal(corr, 0.0)
    load = np.zeros((K.N_TABLES, 256), np.float64)  # [substring, bit]: correlation with members
    room = np.full(K.N_TABLES, 16)
    groups: list[list[int]] = [[] for _ in range(K.N_TABLES)]
    for bit in np.argsort(-corr.sum(axis=1), kind="stable").tolist():
        cost = np.where(room > 0, load[:, bit], np.inf)
        g = int(np.argmin(cost))
        groups[g].append(bit)
        room[g] -= 1
        load[g] += corr[bit]
    return np.array([b for g in groups for b in g], np.int16)


def lookup_table(perm: npt.NDArray[np.int16]) -> npt.NDArray[np.uint64]:
    """``(32, 256, 4) uint64``: the permuted words of every (byte position, byte value)."""
    single = np.zeros((32, 256, 256), np.uint8)  # [byte, value, bit]
    values = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1)  # (256, 8)
    for b in range(32):
        single[b, :, b * 8 : b * 8 + 8] = values
    packed = np.packbits(single[:, :, perm.astype(np.intp)], axis=2)  # (32, 256, 32)
    return np.ascontiguousarray(packed).view(np.uint64).reshape(32, 256, 4)


def permute(words: U64, lut: npt.NDArray[np.uint64]) -> U64:
    """Words of ``words`` with their bits permuted by the permutation behind ``lut``."""
    out = np.empty_like(words)
    K.permute_bits(np.ascontiguousarray(words).view(np.uint8), lut, out)
    return out
