"""A node's HTTP side: signed calls to the coordinator (or a peer) over httpx.

One ``httpx.Client`` per run keeps the connection alive across batches; each call is signed
afresh (new nonce and time) with the workspace's export signing key.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx

from grace.deconflict.signed import signed_request
from grace.exports.signing import load_or_create_signing_key
from grace.workspace import Workspace

PREFIX = "/api/v1/deconflict"
TIMEOUT = httpx.Timeout(120.0, connect=10.0)


class TransportError(RuntimeError):
    """The coordinator or peer refused or could not be reached; the message is one line."""


class Caller:
    """Signed JSON calls from this node to one base URL."""

    def __init__(self, workspace: Workspace | Path, node: str, url: str) -> None:
        home = workspace if isinstance(workspace, Path) else workspace.home
        self._key = load_or_create_signing_key(home)
        self._node = node
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT, trust_env=False)

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def get(self, path: str) -> dict[str, Any]:
        return _json(self._send("GET", PREFIX + path, None, {}))

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body, headers = signed_request(self._key, self._node, "POST", PREFIX + path, payload)
        return _json(self._send("POST", PREFIX + path, body, headers))

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransportError(f"{self._http.base_url}: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise TransportError(f"{response.status_code}: {_detail(response)}")
        return response


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        detail = (body.get("error") or body.get("detail")) if isinstance(body, dict) else None
    except ValueError:
        detail = None
    return str(detail or response.reason_phrase)[:300]


def _json(response: httpx.Response) -> dict[str, Any]:
    data = response.json()
    if not isinstance(data, dict):
        raise TransportError("the answer is not a JSON object")
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TransportError("expected base64 text")
    return base64.b64decode(text, validate=True)
