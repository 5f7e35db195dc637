"""Media handling: type detection now; decoding, hashing and thumbnails build on it."""
