"""The linked-referral graph's layout: centre plus one node per neighbour on a circle."""

from __future__ import annotations

import math

from grace.desk.detail import GRAPH_SIZE, MAX_GRAPH_NODES, link_graph


def _link(other: int, strength: str = "strong") -> dict[str, object]:
    return {"referral": other, "strength": strength, "reason": f"shared e-mail with {other}"}


def test_each_neighbour_once_with_its_strongest_link_on_a_circle() -> None:
    graph = link_graph(1, [_link(2), _link(3, "medium"), _link(2, "weak")])
    assert [(n["id"], n["strength"]) for n in graph["nodes"]] == [(2, "strong"), (3, "medium")]
    centre = GRAPH_SIZE / 2
    radii = {round(math.hypot(n["x"] - centre, n["y"] - centre)) for n in graph["nodes"]}
    assert len(radii) == 1 and 0 < radii.pop() < centre
    assert graph["more"] == 0


def test_large_neighbourhoods_are_cut_and_counted() -> None:
    graph = link_graph(1, [_link(n) for n in range(2, 40)])
    assert len(graph["nodes"]) == MAX_GRAPH_NODES
    assert graph["more"] == 38 - MAX_GRAPH_NODES
