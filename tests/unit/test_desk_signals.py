"""The media wall's one-line summary of model signals: facts with their uncertainty."""

from __future__ import annotations

from grace.desk.wall import signal_summary


def test_faces_and_score_in_words_with_uncertainty() -> None:
    record = {"nsfw_score": 0.914, "face_count": 2, "youngest_age": 15.2, "youngest_age_sd": 5.6}
    assert signal_summary(record) == "explicit-content score 0.91 · 2 faces, youngest ~15 ± 6 y"


def test_no_face_is_said_and_errors_or_missing_rows_say_nothing() -> None:
    assert signal_summary({"nsfw_score": 0.02, "face_count": 0}) == (
        "explicit-content score 0.02 · no face found"
    )
    assert signal_summary({"nsfw_score": 0.5, "error": "unreadable"}) is None
    assert signal_summary(None) is None
    assert signal_summary({"face_count": None, "nsfw_score": None}) is None
