"""The coordinator's endpoints against a real workspace: signatures, replays, epochs, the
upload cap, expiry and withdrawal (the loopback test covers the whole network)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from grace.audit.chain import AuditEvent
from grace.deconflict import coordinator, oprf
from grace.deconflict.canonical import mailbox, oprf_input
from grace.deconflict.nodes import add_node
from grace.deconflict.signed import signed_request
from grace.exports.signing import raw_public
from grace.web.app import create_app
from grace.workspace import Workspace

PREFIX = "/api/v1/deconflict"


@dataclass
class Coordinator:
    workspace: Workspace
    client: TestClient
    keys: dict[str, Ed25519PrivateKey]

    def post(self, node: str, path: str, payload: dict[str, Any]) -> Any:
        body, headers = signed_request(self.keys[node], node, "POST", PREFIX + path, payload)
        return self.client.post(PREFIX + path, content=body, headers=headers)

    def tokens(self, node: str, values: list[str]) -> tuple[int, list[str]]:
        config = self.client.get(PREFIX + "/config").json()
        blinded = oprf.Blinded([oprf_input("email", v) for v in values])
        packed = base64.b64encode(blinded.packed).decode()
        answer = self.post(node, "/evaluate", {"epoch": config["epoch"], "blinded": packed})
        assert answer.status_code == 200, answer.text
        evaluated = base64.b64decode(answer.json()["evaluated"])
        return config["epoch"], blinded.finalize(evaluated, bytes.fromhex(config["public_key"]))

    def upload(self, node: str, epoch: int, tokens: list[str], ref: str, **extra: Any) -> Any:
        expires = extra.get("expires", datetime.now(UTC) + timedelta(days=30)).isoformat()
        add = [{"token": t, "kind": "email", "ref": ref, "expires_at": expires} for t in tokens]
        return self.post(node, "/tokens", {"epoch": epoch, "add": add, "withdraw": []})

    def alerts(self, node: str) -> list[dict[str, Any]]:
        answer = self.post(node, "/alerts", {"after": 0})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["alerts"])


@pytest.fixture
def coord(tmp_path: Path) -> Iterator[Coordinator]:
    workspace = Workspace.init(tmp_path / "coord")
    coordinator.setup(workspace, "test")
    keys = {name: Ed25519PrivateKey.generate() for name in ("nl", "de", "fr")}
    for name, key in keys.items():
        add_node(workspace, name, raw_public(key.public_key()).hex().encode(), "test")
    with TestClient(create_app(workspace)) as client:
        yield Coordinator(workspace, client, keys)
    workspace.close()


def test_shared_token_alerts_both_sides_with_the_kind_only(coord: Coordinator) -> None:
    epoch, nl = coord.tokens("nl", ["shared@example.org", "nl-only@example.org"])
    _, de = coord.tokens("de", ["shared@example.org", "de-only@example.org"])
    assert nl[0] == de[0] and nl[1] != de[1]  # same identifier, same token; blinds differ
    assert coord.upload("nl", epoch, nl, "DX-nl1").json()["alerts"] == 0
    assert coord.upload("de", epoch, de, "DX-de1").json()["alerts"] == 1
    (to_nl,), (to_de,) = coord.alerts("nl"), coord.alerts("de")
    assert (to_nl["ref"], to_nl["other_node"], to_nl["other_ref"]) == ("DX-nl1", "de", "DX-de1")
    assert to_de["text"] == (
        "your referral DX-de1 shares an e-mail address with a referral of nl "
        "(their reference DX-nl1); contact them through the usual channel"
    )
    assert "shared@example.org" not in json.dumps(coord.alerts("nl"))


def test_replayed_forged_and_unknown_requests_are_refused(coord: Coordinator) -> None:
    body, headers = signed_request(coord.keys["nl"], "nl", "POST", PREFIX + "/alerts", {"after": 0})
    assert coord.client.post(PREFIX + "/alerts", content=body, headers=headers).status_code == 200
    replay = coord.client.post(PREFIX + "/alerts", content=body, headers=headers)
    assert replay.status_code == 401 and "replayed" in replay.json()["error"]
    forged = body.replace(b'"after":0', b'"after":1')
    _, fresh = signed_request(coord.keys["nl"], "nl", "POST", PREFIX + "/alerts", {"after": 0})
    assert coord.client.post(PREFIX + "/alerts", content=forged, headers=fresh).status_code == 401
    as_other = {**headers, "X-Grace-Node": "de"}  # nl's signature in de's name
    assert coord.client.post(PREFIX + "/alerts", content=body, headers=as_other).status_code == 401
    stranger = Ed25519PrivateKey.generate()
    body, headers = signed_request(stranger, "xx", "POST", PREFIX + "/alerts", {"after": 0})
    assert coord.client.post(PREFIX + "/alerts", content=body, headers=headers).status_code == 401
    assert coord.client.post(PREFIX + "/alerts", content=b"{}").status_code == 401


def test_uploads_are_capped_by_evaluations(coord: Coordinator) -> None:
    epoch, tokens = coord.tokens("nl", ["a@example.org"])
    invented = [oprf.token(bytes([i]) * 64) for i in range(3)]
    refused = coord.upload("nl", epoch, [*tokens, *invented], "DX-1")
    assert refused.status_code == 403 and "evaluations" in refused.json()["error"]
    assert coord.upload("nl", epoch, tokens, "DX-1").status_code == 200


def test_rotation_makes_old_tokens_useless(coord: Coordinator) -> None:
    epoch, old = coord.tokens("nl", ["x@example.org"])
    assert coord.upload("nl", epoch, old, "DX-1").status_code == 200
    assert coordinator.rotate(coord.workspace, "test") == epoch + 1
    stale = coord.upload("de", epoch, old, "DX-2")
    assert stale.status_code == 409  # an upload in the old epoch is refused
    new_epoch, new = coord.tokens("de", ["x@example.org"])
    assert new_epoch == epoch + 1 and new != old
    assert coord.upload("de", new_epoch, new, "DX-2").json()["alerts"] == 0  # nl not re-synced
    _, again = coord.tokens("nl", ["x@example.org"])
    assert coord.upload("nl", new_epoch, again, "DX-1").json()["alerts"] == 1


def test_expired_and_withdrawn_tokens_stop_matching(coord: Coordinator) -> None:
    epoch, nl = coord.tokens("nl", ["old@example.org", "kept@example.org"])
    past = datetime.now(UTC) - timedelta(days=1)
    assert coord.upload("nl", epoch, nl[:1], "DX-old", expires=past).status_code == 200
    assert coord.upload("nl", epoch, nl[1:], "DX-kept").status_code == 200
    _, de = coord.tokens("de", ["old@example.org", "kept@example.org"])
    assert coord.upload("de", epoch, de, "DX-de").json()["alerts"] == 1  # the expired one: none
    gone = coord.post("nl", "/tokens", {"epoch": epoch, "add": [], "withdraw": ["DX-kept"]})
    assert gone.json()["withdrawn"] == 1
    assert coord.alerts("nl") == [] and coord.alerts("de") == []


def test_rate_limit_refuses_and_audits(coord: Coordinator) -> None:
    key = Ed25519PrivateKey.generate()
    coord.keys["tiny"] = key
    add_node(coord.workspace, "tiny", raw_public(key.public_key()).hex().encode(), "test",
             rate_per_hour=2)  # fmt: skip
    blinded = oprf.Blinded([oprf_input("email", f"{i}@example.org") for i in range(3)])
    packed = base64.b64encode(blinded.packed).decode()
    answer = coord.post("tiny", "/evaluate", {"epoch": 1, "blinded": packed})
    assert answer.status_code == 429
    with coord.workspace.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == "tiny"))
        assert "deconflict.refused" in list(actions)


@pytest.mark.parametrize(
    ("address", "box"),
    [
        ("j.doe+tips@gmail.com", "jdoe@gmail.com"),
        ("jdoe@googlemail.com", "jdoe@gmail.com"),
        ("j.doe+x@outlook.com", "j.doe@outlook.com"),
        ("j.doe+x@example.org", "j.doe+x@example.org"),
    ],
)
def test_mailbox_folds_provider_aliases_only(address: str, box: str) -> None:
    assert mailbox(address) == box
