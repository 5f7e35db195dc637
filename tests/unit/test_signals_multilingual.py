"""The multilingual sentence embedding (USE multilingual v3) on benign sentences.

Paraphrases of one everyday sentence in German, French, Polish and English must be closer
to each other than to an unrelated sentence in the same languages: the property the
"similar to earlier urgent referrals" factor relies on across languages. The English-only
MiniLM is run on the same sentences to show why it was replaced.
"""

from __future__ import annotations

import socket
from typing import Any

import numpy as np
import pytest

from grace.signals.models import ENGLISH_EMBEDDING, TEXT_EMBEDDING
from grace.signals.similar import nearest, neighbourhoods_of

SAME = [
    "Wir treffen uns morgen am Bahnhof, um die Bücher für die Schule abzuholen.",
    "Nous nous retrouvons demain à la gare pour récupérer les livres pour l'école.",
    "Spotkamy się jutro na dworcu, żeby odebrać książki do szkoły.",
    "We will meet tomorrow at the station to pick up the books for school.",
]
UNRELATED = [
    "Der Quartalsbericht listet die Abschreibung der Büromöbel auf.",
    "Le rapport trimestriel indique l'amortissement du mobilier de bureau.",
    "Raport kwartalny wymienia amortyzację mebli biurowych.",
]


def test_loads_offline_and_gives_unit_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the text model tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    vectors = TEXT_EMBEDDING.encode(SAME)
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    alone = TEXT_EMBEDDING.encode([SAME[2]])[0]
    assert np.allclose(alone, vectors[2], atol=1e-5)  # a vector does not depend on its batch
    assert TEXT_EMBEDDING.encode([]).shape == (0, 512)


def test_paraphrases_across_languages_are_closer_than_unrelated_text() -> None:
    same = TEXT_EMBEDDING.encode(SAME)
    other = TEXT_EMBEDDING.encode(UNRELATED)
    within = same @ same.T
    across = same @ other.T
    least_paraphrase = min(within[i, j] for i in range(4) for j in range(4) if i != j)
    assert least_paraphrase > 0.6  # measured 0.69-0.84
    assert across.max() < 0.4  # measured at most 0.22
    for i in range(4):  # each paraphrase's nearest neighbours are the other paraphrases
        ids = list(range(7))
        matrix = np.vstack([same, other])
        near = nearest(same[i], [j for j in ids if j != i], np.delete(matrix, i, axis=0), k=3)
        assert {n.referral_id for n in near} == set(range(4)) - {i}


def test_english_only_model_does_not_bridge_languages() -> None:
    """The reason for the change: MiniLM puts German/Polish far from their English meaning."""
    multi = TEXT_EMBEDDING.encode([SAME[3], SAME[0], SAME[2]])
    english = ENGLISH_EMBEDDING.encode([SAME[3], SAME[0], SAME[2]])
    assert (multi[0] @ multi[1:].T).min() > (english[0] @ english[1:].T).max()


def test_nearest_respects_floor_and_order() -> None:
    matrix = np.eye(3, dtype=np.float32)
    query = np.array([0.8, 0.6, 0.0], dtype=np.float32)
    near = nearest(query, [10, 11, 12], matrix, k=3, floor=0.5)
    assert [(n.referral_id, n.similarity) for n in near] == [(10, 0.8), (11, 0.6)]
    assert nearest(query, [], np.zeros((0, 3), dtype=np.float32)) == []


def test_factor_needs_most_close_decided_referrals_to_be_urgent() -> None:
    """Boilerplate close to urgent and non-urgent referrals alike is not notable."""
    axis = np.eye(4, dtype=np.float32)
    query = {99: (axis[0] + 0.3 * axis[1]) / np.linalg.norm(axis[0] + 0.3 * axis[1])}
    ids = [1, 2, 3, 4]
    matrix = np.vstack([axis[0], axis[0], axis[0], axis[2]])
    mostly_other = neighbourhoods_of(query, ids, np.array([True, False, False, True]), matrix)
    hood = mostly_other[99]
    assert [n.referral_id for n in hood.neighbours] == [1]  # the close urgent one
    assert hood.urgent_share == pytest.approx(1 / 3, abs=1e-3) and not hood.notable
    mostly_urgent = neighbourhoods_of(query, ids, np.array([True, True, False, False]), matrix)
    assert mostly_urgent[99].notable and mostly_urgent[99].decided_near == 4
    assert [n.referral_id for n in mostly_urgent[99].neighbours] == [1, 2]
    itself = neighbourhoods_of({1: axis[0]}, ids, np.array([True, True, True, True]), matrix)
    assert 1 not in {n.referral_id for n in itself[1].neighbours}
