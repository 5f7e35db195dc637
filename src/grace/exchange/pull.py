"""``grace share pull PEER``: fetch and apply, in order, the bank versions a peer published.

The peer lists what it published at ``GET /api/v1/exchange/banks``; every version newer
than the one applied here is fetched and applied through ``shares.apply`` (so each is
verified against the peer's pinned key, and a gap stops that bank with the reason).
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from grace.exchange.node import ExchangeError, load_node
from grace.exchange.send import NODE_HEADER, peer_named
from grace.exchange.shares import apply
from grace.store.exchange_tables import ExchangeBankVersion
from grace.workspace import Workspace

BANKS_PATH = "/api/v1/exchange/banks"


def pull(workspace: Workspace, peer_name: str, actor: str) -> list[dict[str, Any]]:
    peer = peer_named(workspace, peer_name)
    if not peer.url:
        raise ExchangeError(f"peer {peer_name} has no URL: use grace share apply FILE")
    headers = {NODE_HEADER: load_node(workspace).name, "Authorization": f"Bearer {peer.send_token}"}
    results: list[dict[str, Any]] = []
    with httpx.Client(timeout=300.0, headers=headers) as client:
        listed = _get(client, peer.url + BANKS_PATH).json()
        for bank, versions in sorted(listed.items()):
            have = _have(workspace, bank, peer_name)
            for version in sorted(int(v) for v in versions if int(v) > have):
                data = _get(client, f"{peer.url}{BANKS_PATH}/{bank}/{version}").content
                try:
                    results.append(apply(workspace, data, actor).as_dict())
                except ExchangeError as exc:
                    results.append(
                        {
                            "bank": f"{bank}@{peer_name}",
                            "version": version,
                            "status": "refused",
                            "error": str(exc),
                        }
                    )
                    break
    return results


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise ExchangeError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise ExchangeError(f"{url}: HTTP {response.status_code}")
    return response


def _have(workspace: Workspace, bank: str, publisher: str) -> int:
    with workspace.sessions() as session:
        return int(
            session.scalar(
                select(func.max(ExchangeBankVersion.version)).where(
                    ExchangeBankVersion.bank == bank,
                    ExchangeBankVersion.publisher == publisher,
                    ExchangeBankVersion.direction == "applied",
                )
            )
            or 0
        )
