"""``grace hash``: digests and perceptual hashes of files, without touching a workspace.

Used to check a file against a hash list by hand, to reproduce what ingest stored, and to
prove conformance with Meta's reference values (``--exact``). One bad file never stops the
run: it gets an error line and the exit status becomes 1 at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from grace.cli.common import piped, print_table
from grace.media.analyse import MediaAnalysis, analyse_path

_ERROR_KEYS = ("path", "error", "md5", "sha1", "sha256", "size", "mime")


def hash_files(
    files: Annotated[list[Path], typer.Argument(help="Image or video files to hash.")],
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Hash full-size pixels (bit-exact with Meta's PDQ references; slower).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per file, one per line.")
    ] = False,
    every_frame: Annotated[
        bool, typer.Option("--every-frame", help="vPDQ: hash every video frame.")
    ] = False,
    vpdq_fps: Annotated[
        float,
        typer.Option("--vpdq-fps", min=0.001, help="vPDQ: frames hashed per second of video."),
    ] = 1.0,
) -> None:
    """Print MD5, SHA-1, SHA-256, size, type, dimensions and PDQ (vPDQ for video) per file."""
    results = [
        analyse_path(path, exact=exact, vpdq_fps=vpdq_fps, every_frame=every_frame)
        for path in files
    ]
    if as_json:
        for result in results:
            sys.stdout.write(_json_line(result) + "\n")
    elif piped():
        print_table(_COLUMNS, (_row(r) for r in results))
    else:
        _print_records(results)
    if any(result.error for result in results):
        raise typer.Exit(1)


def _json_line(result: MediaAnalysis) -> str:
    if result.error is None:
        return result.to_json()
    record = result.to_record()
    return json.dumps({key: record[key] for key in _ERROR_KEYS if record.get(key) is not None})


_COLUMNS = ("file", "type", "size", "WxH", "md5", "sha1", "sha256", "PDQ (quality)", "note")


def _row(r: MediaAnalysis) -> tuple[str, ...]:
    dims = f"{r.width}x{r.height}" if r.width and r.height else ""
    pdq = f"{r.pdq} ({r.pdq_quality})" if r.pdq else ""
    if r.vpdq:
        pdq = f"vPDQ: {len(r.vpdq)} frames"
    note = r.error or ""
    if not r.error and r.pdq_quality is not None and r.pdq_quality < 50:
        note = "low PDQ quality: do not auto-match"
    digests = (r.md5 or "", r.sha1 or "", r.sha256 or "")
    return (r.path or "", r.mime or "?", str(r.size or 0), dims, *digests, pdq, note)


def _print_records(results: list[MediaAnalysis]) -> None:
    """On a terminal: one block per file, digests on lines of their own.

    A table squeezed to the terminal's width cut or split 64-digit digests, which then no
    longer match when copied; soft wrapping leaves long lines to the terminal, whole.
    """
    out = Console(soft_wrap=True, highlight=False)
    for r in results:
        path, mime, size, dims, md5, sha1, sha256, pdq, note = _row(r)
        out.print(f"[bold]{escape(path)}[/]")
        if r.error:
            out.print(f"  [red]error:[/] {escape(r.error)}")
            continue
        out.print(f"  type {mime}, {size} bytes" + (f", {dims}" if dims else ""))
        out.print(f"  md5    {md5}")
        out.print(f"  sha1   {sha1}")
        out.print(f"  sha256 {sha256}")
        if pdq:
            out.print(f"  pdq    {pdq}")
        if note:
            out.print(f"  [yellow]{escape(note)}[/]")
