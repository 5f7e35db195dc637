"""Keccak-256, the hash Ethereum's EIP-55 address checksum is defined over.

Why hand-written: ``hashlib.sha3_256`` is the NIST SHA-3 variant, which pads differently
from the original Keccak Ethereum adopted, so it gives different digests; no Keccak
library is a grace dependency (pycryptodome, pysha3 and eth-hash are not installed) and
adding one for a checksum on the rare mixed-case address found in a referral is not worth
it. This is the plain sponge construction from the Keccak reference, checked in the tests
against the published empty-string digest, the EIP-55 example addresses and (with
SHA-3's padding) ``hashlib.sha3_256``. It is slow
(pure Python, ~0.3 ms per 40-byte message), which is fine at that volume.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600-bit state minus 2 x 256-bit capacity

_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip

# Rotation offsets r[x][y] of the rho step, indexed x + 5 * y like the state lanes.
_ROTATIONS = (
    0, 1, 62, 28, 27,
    36, 44, 6, 55, 20,
    3, 10, 43, 25, 39,
    41, 45, 15, 21, 8,
    18, 2, 61, 56, 14,
)  # fmt: skip


# (source lane, destination lane, rotation) of the combined rho and pi steps.
_RHO_PI = tuple(
    (x + 5 * y, y + 5 * ((2 * x + 3 * y) % 5), _ROTATIONS[x + 5 * y])
    for x in range(5)
    for y in range(5)
)


def _permute(a: list[int]) -> None:
    """Keccak-f[1600] on 25 little-endian 64-bit lanes, in place (lane index x + 5y)."""
    b = [0] * 25
    for constant in _ROUND_CONSTANTS:
        # theta
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        for x in range(5):
            d = c[x - 1] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
            a[x] ^= d
            a[x + 5] ^= d
            a[x + 10] ^= d
            a[x + 15] ^= d
            a[x + 20] ^= d
        # rho and pi
        for src, dst, rot in _RHO_PI:
            v = a[src]
            b[dst] = ((v << rot) | (v >> (64 - rot))) & _MASK if rot else v
        # chi
        for y in (0, 5, 10, 15, 20):
            b0, b1, b2, b3, b4 = b[y], b[y + 1], b[y + 2], b[y + 3], b[y + 4]
            a[y] = b0 ^ (~b1 & b2)
            a[y + 1] = b1 ^ (~b2 & b3)
            a[y + 2] = b2 ^ (~b3 & b4)
            a[y + 3] = b3 ^ (~b4 & b0)
            a[y + 4] = b4 ^ (~b0 & b1)
        # iota
        a[0] ^= constant


def sponge(data: bytes, domain: int) -> bytes:
    """A 256-bit Keccak sponge; ``domain`` 0x01 is Keccak-256, 0x06 is NIST SHA3-256.

    Exposed with the padding byte as a parameter so the tests can check the permutation
    against ``hashlib.sha3_256`` on multi-block inputs, which differ only in that byte.
    """
    padded = bytearray(data)
    padded.append(domain)
    padded.extend(b"\x00" * (-len(padded) % _RATE))
    padded[-1] |= 0x80
    lanes = [0] * 25
    for start in range(0, len(padded), _RATE):
        block = padded[start : start + _RATE]
        for i in range(_RATE // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def keccak256(data: bytes) -> bytes:
    """The 32-byte Keccak-256 digest of ``data`` (original Keccak padding, 0x01)."""
    return sponge(data, 0x01)
