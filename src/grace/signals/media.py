"""All media signals of one file: explicit-content score, faces with ages, an embedding.

A video is described by its key frames: the highest frame score, every frame's faces
(each tagged with its time), the face count of the busiest frame, and the mean of the
frame embeddings (re-normalised). Like ``analyse_bytes`` for hashes, this never raises for
a bad file: ``error`` says what failed, so one corrupt upload cannot stop a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from grace.media.decode import MediaError
from grace.signals.base import ModelUnavailable
from grace.signals.faces import youngest
from grace.signals.frames import pictures
from grace.signals.models import FACES, NSFW, media_versions


@dataclass
class MediaSignals:
    """What the models saw in one media item (``error`` set when it could not be read)."""

    sha256: str
    kind: str = "other"
    nsfw_score: float | None = None
    face_count: int | None = None
    faces: list[dict[str, Any]] = field(default_factory=list)
    youngest_age: float | None = None
    youngest_age_sd: float | None = None
    frames: int | None = None
    embedding: NDArray[np.float32] | None = None
    error: str | None = None
    models: dict[str, str] = field(default_factory=media_versions)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready facts (the embedding is summarised by its size, not printed)."""
        record = {k: v for k, v in self.__dict__.items() if k != "embedding"}
        record["embedding_dim"] = None if self.embedding is None else int(self.embedding.shape[0])
        return record


def analyse_media(sha256: str, data: bytes) -> MediaSignals:
    """Signals of one file's bytes; unreadable files become ``error``, model failures raise."""
    result = MediaSignals(sha256=sha256)
    try:
        result.kind, shots = pictures(data)
    except MediaError as exc:
        result.error = str(exc)
        return result
    images = [image for _, image in shots]
    scores, embeddings = NSFW.run(images)
    faces: list[dict[str, Any]] = []
    busiest = 0
    for when, image in shots:
        found = FACES.analyse(image)["faces"]
        busiest = max(busiest, len(found))
        faces.extend(found if when is None else [{**f, "time": when} for f in found])
    result.nsfw_score = round(float(scores.max()), 6)
    result.face_count = busiest
    result.faces = faces
    if result.kind == "video":
        result.frames = len(shots)
    young = youngest(faces)
    if young is not None:
        result.youngest_age, result.youngest_age_sd = young["age"], young["age_sd"]
    mean = embeddings.mean(axis=0)
    result.embedding = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
    return result


def analyse_safely(sha256: str, data: bytes) -> MediaSignals:
    """``analyse_media`` for batches: an unexpected failure on one file is that file's error.

    A missing or altered model (``ModelUnavailable``) still raises: it would fail every file
    the same way, and storing those errors would mark every item as done.
    """
    try:
        return analyse_media(sha256, data)
    except ModelUnavailable:
        raise
    except Exception as exc:  # a decoder or model failure on one hostile file
        return MediaSignals(sha256=sha256, error=f"signals failed: {type(exc).__name__}: {exc}")
