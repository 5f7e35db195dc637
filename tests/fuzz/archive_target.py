"""The contract the input reader is fuzzed against (imported inside instrumentation).

The reader works on paths (it opens without following links and checks that the archive
it reopens is the one it checked), so the bytes are written to a file first. Every
refusal must come back as an ``InputProblem`` or a ``MemberReadError`` with one line,
never as another error, and no read may pass the limits; the bundle then goes through
``assemble`` and ``persist.prepare`` as ingest would take it. Limits are small so a fuzzed
archive cannot make a run slow or large.
"""

from __future__ import annotations

from pathlib import Path

from grace.ingest.assemble import assemble
from grace.ingest.inputs import Bundle, InputProblem, Limits, MemberReadError, open_inputs
from grace.ingest.persist import prepare

LIMITS = Limits(max_member_bytes=1 << 20, max_total_bytes=4 << 20, max_members=500)


def check(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, open it as an input and read every member."""
    path.write_bytes(data)
    for item in open_inputs([path], LIMITS):
        if isinstance(item, InputProblem):
            _one_line(item.reason)
            continue
        assert isinstance(item, Bundle)
        with item:
            for problem in item.problems:
                _one_line(problem.reason)
            for member in item.members.values():
                try:
                    read = member.read()
                except MemberReadError as exc:
                    _one_line(str(exc))
                    continue
                if len(read) > LIMITS.max_member_bytes:
                    raise AssertionError(f"member of {len(read)} bytes read past the limit")
            units, problems = assemble(item)  # documents paired with media, as ingest does
            for problem in problems:
                _one_line(problem.reason)
            for unit in units:
                prepare(unit, "fuzz")


def _one_line(reason: str) -> None:
    if "\n" in reason or "\r" in reason:
        raise AssertionError(f"refusal reason is not one line: {reason!r}")
