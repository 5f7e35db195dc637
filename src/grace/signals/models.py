"""The process's one instance of each signal model (constructing is free; loading is lazy)."""

from __future__ import annotations

from grace.signals.faces import FaceAges
from grace.signals.multilingual import MultilingualEmbedding
from grace.signals.nsfw import OpenNsfw
from grace.signals.text import Language, SentenceEmbedding

NSFW = OpenNsfw()
FACES = FaceAges()
LANGUAGE = Language()
TEXT_EMBEDDING = MultilingualEmbedding()
"""The stored text embedding: one space for all languages (USE multilingual v3)."""
ENGLISH_EMBEDDING = SentenceEmbedding()
"""all-MiniLM-L6-v2: English only; kept as the small ONNX reference (not stored)."""


def media_versions() -> dict[str, str]:
    """Every media model's name and version, stored with each media row."""
    return {NSFW.name: NSFW.version, FACES.name: FACES.version}


def text_versions() -> dict[str, str]:
    """Every text model's name and version, stored with each referral row."""
    return {LANGUAGE.name: LANGUAGE.version, TEXT_EMBEDDING.name: TEXT_EMBEDDING.version}
