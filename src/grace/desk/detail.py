"""The linked-referral graph of the referral page, laid out for a small server-rendered SVG."""

from __future__ import annotations

import math
from typing import Any

GRAPH_SIZE = 260
MAX_GRAPH_NODES = 12


def link_graph(referral_id: int, links: list[dict[str, Any]]) -> dict[str, Any]:
    """A star layout: this referral in the centre, each linked referral on a circle.

    Hand-laid-out because the graph is one hop deep: a layout library would add a
    dependency (and JavaScript) for what is a few lines of trigonometry.
    """
    neighbours: dict[int, dict[str, Any]] = {}
    for link in links:  # strongest first: keep each neighbour's strongest link
        neighbours.setdefault(int(link["referral"]), link)
    shown = list(neighbours.items())[:MAX_GRAPH_NODES]
    centre = GRAPH_SIZE / 2
    radius = GRAPH_SIZE / 2 - 34
    nodes = []
    for index, (other, link) in enumerate(shown):
        angle = 2 * math.pi * index / max(1, len(shown)) - math.pi / 2
        nodes.append(
            {
                "id": other,
                "x": round(centre + radius * math.cos(angle), 1),
                "y": round(centre + radius * math.sin(angle), 1),
                "strength": link["strength"],
                "reason": link["reason"],
            }
        )
    return {
        "size": GRAPH_SIZE,
        "centre": {"id": referral_id, "x": centre, "y": centre},
        "nodes": nodes,
        "more": max(0, len(neighbours) - len(shown)),
    }
