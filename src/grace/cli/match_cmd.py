"""``grace match FILE|HASH``: what in the banks and the workspace does this match?"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from grace.cli.common import HomeOption, JsonOption, actor, fail, open_workspace, print_json
from grace.matching.indexes import WorkspaceIndexes
from grace.matching.matcher import DEFAULT_DISTANCE, Matcher, Query
from grace.media.analyse import analyse_path
from grace.media.process import query_of

HEX = re.compile(r"^[0-9a-fA-F]+$")


def query_for(target: str) -> tuple[Query, dict[str, object]]:
    """A file is analysed; a bare hash is read by its length (64 hex: SHA-256 and PDQ)."""
    path = Path(target)
    if path.exists():
        analysis = analyse_path(path)
        if analysis.error and not analysis.sha256:
            fail(f"{target}: {analysis.error}")
        return query_of(analysis), {
            "path": target,
            "sha256": analysis.sha256,
            "pdq": analysis.pdq,
            "pdq_quality": analysis.pdq_quality,
        }
    value = target.strip().lower()
    if not HEX.match(value) or len(value) not in (32, 40, 64):
        fail(f"{target}: neither a file nor an MD5 (32), SHA-1 (40) or SHA-256/PDQ (64) hex hash")
    if len(value) == 32:
        return Query(md5=value), {"md5": value}
    if len(value) == 40:
        return Query(sha1=value), {"sha1": value}
    return Query(sha256=value, pdq=[value]), {"sha256_or_pdq": value}


def match(
    target: Annotated[
        str, typer.Argument(help="A media file, or an MD5 / SHA-1 / SHA-256 / PDQ hex hash.")
    ],
    max_distance: Annotated[
        int,
        typer.Option(min=0, max=256, help="Largest PDQ Hamming distance that counts as a match."),
    ] = DEFAULT_DISTANCE,
    bank: Annotated[
        str | None,
        typer.Option(help="Only this bank (media are still searched unless --banks-only)."),
    ] = None,
    banks_only: Annotated[
        bool, typer.Option("--banks-only", help="Do not search workspace media.")
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Exact (MD5/SHA-1/SHA-256) and near (PDQ with rotations and flips, vPDQ) matches.

    Searches every bank and every media item already in the workspace; each result names
    the bank, category, distance and the referrals the matched material came from.
    """
    query, described = query_for(target)
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            matcher = Matcher(session, WorkspaceIndexes(workspace.home / "index"))
            hits = matcher.match(
                query, max_distance=max_distance, bank=bank, include_media=not banks_only
            )
            workspace.audit.append(
                session,
                actor=actor(),
                action="match",
                object_type="query",
                object_id=str(described.get("sha256") or target)[:200],
                details={"matches": len(hits)},
            )
        workspace.audit.save_anchor()
    if as_json:
        print_json({"query": described, "matches": [h.as_dict() for h in hits]})
        return
    table = Table("target", "method", "distance", "bank / media", "category", "referrals")
    for hit in hits:
        where = f"{hit.bank} ({hit.bank_kind})" if hit.target == "bank" else f"media {hit.media_id}"
        where += " held: no alert (grace hashset holds)" if hit.held else ""
        category = (hit.category or {}).get("label") or (hit.category or {}).get("code") or "-"
        share = f" ({hit.share:.0%} frames)" if hit.share is not None else ""
        table.add_row(
            hit.target,
            hit.method + share,
            str(hit.distance),
            where,
            str(category),
            ", ".join(map(str, hit.referrals[:10])) or "-",
        )
    Console().print(table if hits else "no matches")
