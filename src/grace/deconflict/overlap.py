"""How many strong identifiers two agencies share, and nothing else (PSI cardinality).

OpenMined's ``openmined-psi`` (ECDH-based PSI, Google's C++ core) in cardinality mode: the
asking node learns only the size of the intersection (and the peer's set size), the
answering peer learns only the asker's set size. Both sides read their identifiers with the
same canonical forms as the tokens (``kind:value``), so an overlap count and a token alert
agree. The library is imported here only: it pins an old protobuf in its metadata (see
docs/deconfliction.md), and no other command should pay for loading it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from grace.deconflict.client import Caller, b64, unb64
from grace.deconflict.node import local_items
from grace.store.deconflict_tables import DeconflictNode
from grace.workspace import Workspace

FALSE_POSITIVE_RATE = 1e-9
MAX_ITEMS = 2_000_000


class OverlapError(ValueError):
    """The overlap cannot be computed; the message is one line."""


def _psi() -> Any:
    try:
        import private_set_intersection.python as psi  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - installed by scripts/setup.sh
        raise OverlapError(
            "openmined-psi is not installed: pip install --no-deps openmined-psi==2.0.6"
        ) from exc
    return psi


def count_overlap(workspace: Workspace, me: str, peer: DeconflictNode) -> dict[str, Any]:
    """Ask pinned ``peer`` how many identifiers it shares with this workspace."""
    if peer.url is None or peer.status != "active":
        raise OverlapError(f"peer {peer.name} has no URL or is revoked")
    psi = _psi()
    mine = sorted(local_items(workspace))
    if not mine:
        return {"peer": peer.name, "mine": 0, "theirs": None, "shared": 0}
    client = psi.client.CreateWithNewKey(False)
    request = client.CreateRequest(mine)
    with Caller(workspace, me, peer.url) as caller:
        answer = caller.post("/psi", {"request": b64(request.SerializeToString())})
    setup = psi.ServerSetup()
    setup.ParseFromString(unb64(answer.get("setup")))
    response = psi.Response()
    response.ParseFromString(unb64(answer.get("response")))
    shared = int(client.GetIntersectionSize(setup, response))
    return {"peer": peer.name, "mine": len(mine), "theirs": answer.get("size"), "shared": shared}


def answer(
    workspace: Workspace, session: Session, peer: DeconflictNode, payload: dict[str, Any]
) -> dict[str, Any]:
    """The server half: encrypt this node's set and the peer's request (audited)."""
    psi = _psi()
    request = psi.Request()
    try:
        request.ParseFromString(unb64(payload.get("request")))
    except Exception as exc:  # protobuf's DecodeError and base64 errors alike
        raise OverlapError("request is not a PSI request") from exc
    asked = len(request.encrypted_elements)
    if not 0 < asked <= MAX_ITEMS:
        raise OverlapError(f"a PSI request holds 1 to {MAX_ITEMS} elements")
    items = sorted(local_items(workspace))
    server = psi.server.CreateWithNewKey(False)
    setup = server.CreateSetupMessage(FALSE_POSITIVE_RATE, asked, items, psi.DataStructure.RAW)
    response = server.ProcessRequest(request)
    workspace.audit.append(
        session, actor=f"node:{peer.name}", action="deconflict.overlap",
        object_type="deconflict_node", object_id=peer.name,
        details={"asked": asked, "answered": len(items)},
    )  # fmt: skip
    return {
        "size": len(items),
        "setup": b64(setup.SerializeToString()),
        "response": b64(response.SerializeToString()),
    }
