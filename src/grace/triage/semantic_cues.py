"""Cues by meaning: referral segments close to a category's prototype sentences.

Phrase tables (``grace.triage.cues``) miss paraphrases: an analyst writes "a date and place
were proposed", a provider "payment demands observed; victim reports distress", and no
listed phrase matches. Here each segment of free text is embedded with grace's
multilingual sentence encoder (``grace.signals.models.TEXT_EMBEDDING``, USE multilingual
v3) and compared with short prototype sentences per category, written in the registers
referrals carry, in several languages (``semantic_prototypes.yaml``). A segment is a hit
for the category of its nearest prototype when that cosine is at least ``THRESHOLD`` and
beats the nearest *negative anchor* (benign and decoy sentences: friends meeting, school,
shopping, adult dating, memes) by ``MARGIN``: "let's meet at the cinema" is near the
contact prototypes too, but nearer to its benign twin.

Each hit names the prototype it was close to (``CueHit.cue``), so an explanation reads
"close in meaning to: 'the adult arranged to meet the child in person'", and keeps the
segment (``CueHit.matched``, cut to 80 characters). Optional by design: if the encoder
cannot load, one warning is logged and no hits are returned, so triage never fails on it;
``GRACE_TRIAGE_SEMANTIC=0`` switches it off.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from grace.triage.cues import CATEGORIES, CueHit

PROTOTYPES = Path(__file__).with_name("semantic_prototypes.yaml")
SWITCH_ENV = "GRACE_TRIAGE_SEMANTIC"
THRESHOLD = 0.55
"""Least cosine between a segment and its nearest prototype. Chosen for precision on the
labelled set in tests/unit/test_triage_semantic_cues.py (its docstring has the figures):
lower values gain recall on the tuning half but lose precision on unseen text."""
MARGIN = 0.05
"""How much nearer the prototype must be than the nearest negative anchor."""
MIN_WORDS = 3
MAX_WORDS = 40
"""Longer segments are cut: one embedding of a paragraph blurs every sentence in it."""
MATCHED_CHARS = 80
LANGUAGES = frozenset({"ar", "cs", "da", "de", "el", "en", "es", "fi", "fr", "hu", "it", "ja",
                       "ko", "nl", "no", "pl", "pt", "ro", "ru", "sv", "th", "tr",
                       "zh"})  # fmt: skip
"""Languages a hit may be credited to: the encoder's and those of grace's cue files."""
CACHE_SIZE = 4096
"""Segments whose embeddings are kept: referral streams repeat provider boilerplate."""

log = logging.getLogger(__name__)
_SPLIT = re.compile(r"\s*(?:\n|\r|\s/\s|\s\|\s|;\s|(?<=[.!?])\s+)\s*")


@dataclass(frozen=True)
class _Prototypes:
    """Embedded prototypes of one version of the file (its sha256 digest)."""

    digest: str
    categories: tuple[str, ...]  # category of each prototype row
    sentences: tuple[str, ...]
    vectors: NDArray[np.float32]  # (n_prototypes, 512)
    negatives: NDArray[np.float32]  # (n_negatives, 512)


_lock = threading.Lock()
_loaded: dict[str, _Prototypes] = {}  # digest -> prototypes
_cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
_failed = False  # the encoder failed to load once: stay quiet and return nothing


def enabled() -> bool:
    """False when ``GRACE_TRIAGE_SEMANTIC`` is 0/false/off/no."""
    value = os.environ.get(SWITCH_ENV, "1").strip().lower()
    return value not in {"0", "false", "off", "no"}


def segments(text: str) -> list[str]:
    """Lines, ' / ' and ' | ' parts, and sentences of ``text`` worth embedding: at least
    ``MIN_WORDS`` words, cut to ``MAX_WORDS``."""
    out = []
    for part in _SPLIT.split(text):
        words = part.split()
        if len(words) >= MIN_WORDS:
            out.append(" ".join(words[:MAX_WORDS]))
    return out


def _read(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(category, sentence) prototypes and negative anchors from the YAML file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    protos = doc.get("prototypes") or {}
    unknown = set(protos) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{path}: unknown categories {sorted(unknown)}")
    rows = [(c, str(s)) for c, sentences in protos.items() for s in sentences or []]
    return rows, [str(s) for s in doc.get("negatives") or []]


def _encoder() -> Any:
    from grace.signals.models import TEXT_EMBEDDING  # imports model libraries: lazily

    return TEXT_EMBEDDING


def _prototypes(path: Path) -> _Prototypes:
    """The file's prototypes embedded, once per process per file digest."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    with _lock:
        if digest in _loaded:
            return _loaded[digest]
    rows, negatives = _read(path)
    encoder = _encoder()
    vectors = encoder.encode([s for _, s in rows])
    anchors = encoder.encode(negatives) if negatives else np.zeros((0, vectors.shape[1]))
    built = _Prototypes(
        digest,
        tuple(c for c, _ in rows),
        tuple(s for _, s in rows),
        vectors,
        anchors.astype(np.float32),
    )
    with _lock:
        _loaded[digest] = built
    return built


def _embed(texts: list[str]) -> NDArray[np.float32]:
    """Embeddings of ``texts`` (distinct), through the LRU cache of recent segments."""
    with _lock:
        missing = [t for t in texts if t not in _cache]
    fresh = _encoder().encode(missing) if missing else None
    with _lock:
        for i, text in enumerate(missing):
            assert fresh is not None
            _cache[text] = fresh[i]
        rows = []
        for text in texts:
            _cache.move_to_end(text)
            rows.append(_cache[text])
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return np.vstack(rows) if rows else np.zeros((0, 512), dtype=np.float32)


def _detect(segment: str) -> str:
    """The likeliest of ``LANGUAGES`` by grace's detector: a short segment alone is often
    read as a neighbouring language ("victim reports distress" as Catalan)."""
    from grace.signals.models import LANGUAGE

    ranked = LANGUAGE.loaded().rank(segment)  # the shared identifier, not narrowed in place
    return next((str(lang) for lang, _ in ranked if lang in LANGUAGES), "xx")


@functools.lru_cache(maxsize=CACHE_SIZE)
def _language(segment: str) -> str:
    """The segment's language (cached), or "xx" if the detector cannot say."""
    try:
        return _detect(segment)
    except Exception:  # the detector is a nicety: a hit without a language is still a hit
        return "xx"


@dataclass(frozen=True)
class Verdict:
    """A segment's nearest category, prototype and their scores (for tuning and tests)."""

    segment: str
    category: str
    prototype: str
    score: float  # cosine to the nearest prototype
    negative: float  # cosine to the nearest negative anchor

    def hit(self, threshold: float = THRESHOLD, margin: float = MARGIN) -> bool:
        return self.score >= threshold and self.score - self.negative >= margin


def score_segments(segs: list[str], path: Path | None = None) -> list[Verdict]:
    """Each segment's nearest prototype and nearest negative anchor (raises if the encoder
    cannot load; ``find_semantic_cues`` is the safe entry point)."""
    if not segs:
        return []
    protos = _prototypes(path or PROTOTYPES)
    distinct = list(dict.fromkeys(segs))
    vectors = _embed(distinct)
    sims = vectors @ protos.vectors.T
    best = sims.argmax(axis=1)
    neg = (
        (vectors @ protos.negatives.T).max(axis=1)
        if len(protos.negatives)
        else np.full(len(distinct), -1.0)
    )
    by_segment = {
        seg: Verdict(
            seg, protos.categories[j], protos.sentences[j], float(sims[i, j]), float(neg[i])
        )
        for i, (seg, j) in enumerate(zip(distinct, best, strict=True))
    }
    return [by_segment[s] for s in segs]


def find_semantic_cues(texts: list[str], path: Path | None = None) -> list[CueHit]:
    """Every distinct (category, segment) hit in ``texts``, in order of appearance; [] when
    switched off or when the encoder cannot load (logged once)."""
    global _failed
    if not enabled() or _failed:
        return []
    segs = list(dict.fromkeys(s for t in texts if t for s in segments(t)))
    try:
        verdicts = score_segments(segs, path)
    except Exception as exc:  # never fail triage on an optional signal
        _failed = True
        log.warning("semantic cues disabled: embedding model unavailable (%s)", exc)
        return []
    return [
        CueHit(v.category, _language(v.segment), v.prototype, v.segment[:MATCHED_CHARS], True)
        for v in verdicts
        if v.hit()
    ]
