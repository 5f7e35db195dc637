"""This workspace as a node: its name, its agency and its signing key.

The key is the workspace's export signing key (``grace export key``), the same key the
deconfliction nodes of ``grace.deconflict`` pin: one workspace, one identity. Name and
agency live in ``exchange-node.json`` in the home (set with ``grace node set``); a node
that never set them is named by its workspace id and claims no agency.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from grace.exports.signing import fingerprint, load_or_create_signing_key, public_pem
from grace.workspace import Workspace

NODE_FILE = "exchange-node.json"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class ExchangeError(ValueError):
    """Something in the exchange cannot be done; the message is one line."""


@dataclass(frozen=True)
class Node:
    name: str
    agency: str | None
    key: Ed25519PrivateKey

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key.public_key())

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agency": self.agency,
            "fingerprint": self.fingerprint,
            "public_key_pem": public_pem(self.key.public_key()).decode(),
        }


def load_node(workspace: Workspace) -> Node:
    """This workspace's node identity (the key created on first use, 0600)."""
    path = workspace.home / NODE_FILE
    saved: dict[str, Any] = {}
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
    name = str(saved.get("name") or workspace.settings.get("workspace_id") or "grace")
    agency = saved.get("agency")
    return Node(name, str(agency) if agency else None, load_or_create_signing_key(workspace.home))


def set_node(workspace: Workspace, name: str, agency: str | None, actor: str) -> Node:
    """Name this node (and the agency it acts for); audited, since peers pin by name."""
    check_name(name)
    path = workspace.home / NODE_FILE
    path.write_text(json.dumps({"name": name, "agency": agency}, indent=2) + "\n", "utf-8")
    node = load_node(workspace)
    with workspace.sessions.begin() as session:
        workspace.audit.append(
            session,
            actor=actor,
            action="exchange.node_set",
            object_type="exchange_node",
            object_id=name,
            details={"agency": agency, "fingerprint": node.fingerprint},
        )
    workspace.audit.save_anchor()
    return node


def check_name(name: str) -> None:
    if not NAME_RE.match(name):
        raise ExchangeError("node names are lower-case letters, digits, '.', '_' and '-'")
