"""Signed requests between nodes and the coordinator (Ed25519, the workspace's export key).

Every deconfliction request is a JSON body carrying the sender's node name, a time and a
random nonce, signed over ``method path body`` with the sender's key. The receiver checks it
against the key it pinned for that name, refuses a time more than ``SKEW`` away and a nonce
seen before: a captured request cannot be replayed, and a token upload is bound to the node
that signed it, so no node can add or withdraw tokens in another's name.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from grace.exports.signing import signature_ok

SKEW = timedelta(minutes=5)
NODE_HEADER = "X-Grace-Node"
SIGNATURE_HEADER = "X-Grace-Signature"
_CONTEXT = b"grace-deconflict/request/v1\n"


class SignatureError(ValueError):
    """A request is unsigned, badly signed, stale or replayed; the message is one line."""


def message(method: str, path: str, body: bytes) -> bytes:
    return _CONTEXT + f"{method.upper()} {path}\n".encode() + body


def signed_request(
    key: Ed25519PrivateKey, node: str, method: str, path: str, payload: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a signed request (a fresh nonce and time added)."""
    envelope = {
        **payload,
        "node": node,
        "at": datetime.now(UTC).isoformat(),
        "nonce": secrets.token_hex(16),
    }
    body = json.dumps(envelope, separators=(",", ":")).encode()
    signature = key.sign(message(method, path, body))
    headers = {
        NODE_HEADER: node,
        SIGNATURE_HEADER: base64.b64encode(signature).decode(),
        "Content-Type": "application/json",
    }
    return body, headers


@dataclass(frozen=True)
class Verified:
    node: str
    nonce: str
    payload: dict[str, Any]


def verify(
    key: Ed25519PublicKey, node: str, signature: str, method: str, path: str, body: bytes
) -> Verified:
    """The payload of a request signed by ``key``; raises SignatureError otherwise."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except ValueError as exc:
        raise SignatureError("signature is not base64") from exc
    if not signature_ok(key, raw, message(method, path, body)):
        raise SignatureError("signature does not verify against the pinned key")
    try:
        payload = json.loads(body)
        at = datetime.fromisoformat(payload["at"])
        nonce = str(payload["nonce"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SignatureError("signed body lacks a valid time or nonce") from exc
    if not isinstance(payload, dict) or payload.get("node") != node:
        raise SignatureError("signed body names another node")
    if at.tzinfo is None or abs(datetime.now(UTC) - at) > SKEW:
        raise SignatureError("request time is outside the allowed skew (check clocks)")
    if not 16 <= len(nonce) <= 64:
        raise SignatureError("nonce must be 16 to 64 characters")
    return Verified(node=node, nonce=nonce, payload=payload)
