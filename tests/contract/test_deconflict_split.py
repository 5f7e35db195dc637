"""The key split between two evaluators (issue 13, optional mitigation): two agencies
evaluate every identifier blind at the coordinator *and* at a second evaluator and upload
``split_token(F_k1(x), F_k2(x))``. Their shared subjects still raise alerts, and neither
key alone reproduces an indexed token: the coordinator cannot test a guess by itself."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from deconflict_world import ingest_referrals
from exchange_world import serving
from grace.deconflict import coordinator, oprf
from grace.deconflict.canonical import oprf_input
from grace.deconflict.nodes import add_node
from grace.deconflict.sync import join, node_key, read_notices, sync
from grace.deconflict.synthetic import generate, plaintext_links
from grace.store.deconflict_tables import DeconflictToken
from grace.workspace import Workspace

AGENCIES = ["nl-police", "de-bka"]


def _known(home: Path, kind: str, value: str) -> str:
    """What one evaluator alone computes for a guess (RFC 9497 Evaluate, no blinding)."""
    key = oprf.evaluator(oprf.seed_path(home), 1)
    return oprf.token(key.evaluate_known_input(oprf_input(kind, value)))


def test_split_key_matches_and_neither_key_alone_reproduces_a_token(tmp_path: Path) -> None:
    coord, second = Workspace.init(tmp_path / "coord"), Workspace.init(tmp_path / "second")
    coordinator.setup(coord, "test")
    coordinator.setup(second, "test")
    data = generate(AGENCIES, 16, 6)
    spaces = {name: Workspace.init(tmp_path / name) for name in AGENCIES}
    try:
        with serving(coord) as coord_url, serving(second) as second_url:
            for name, workspace in spaces.items():
                key = node_key(workspace)["public_key"].encode()
                add_node(coord, name, key, "test", rate_per_hour=100_000)
                add_node(second, name, key, "test", rate_per_hour=100_000)
                ingest_referrals(workspace, tmp_path / f"inbox-{name}", data[name])
                info = join(workspace, coord_url, name, second_url=second_url)
                assert info["second"]["public_key"] != info["public_key"]
                assert sync(workspace, batch=16).tokens > 0
            sync(spaces["nl-police"])
        found = {(n["kind"], n["other_node"]) for n in read_notices(spaces["nl-police"])}
        wanted = {(k, other) for a, _e, other, _o, k in plaintext_links(data) if a == "nl-police"}
        assert wanted and found == wanted
        with coord.sessions() as session:
            indexed = set(session.scalars(select(DeconflictToken.token)))
        with second.sessions() as session:
            assert session.scalar(select(DeconflictToken.token)) is None  # keeps no index
        value = next(
            e for item in data["nl-police"] for p in item.parties for e in p.emails if ".only" in e
        )
        alone = _known(coord.home, "email", value), _known(second.home, "email", value)
        assert alone[0] not in indexed and alone[1] not in indexed
        assert oprf.split_token(*alone) in indexed
    finally:
        for workspace in (*spaces.values(), second, coord):
            workspace.close()
