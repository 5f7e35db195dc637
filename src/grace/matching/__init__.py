"""Hash matching: exact Hamming range search over 256-bit perceptual hashes (PDQ, vPDQ)."""

from grace.matching.index import HammingIndex

__all__ = ["HammingIndex"]
