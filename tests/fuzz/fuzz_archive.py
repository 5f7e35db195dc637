"""Fuzz the input reader (``open_inputs`` over zip bundles and plain files, member reads)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import atheris
from harness import main

with atheris.instrument_imports(include=["grace"]):
    from archive_target import check

_SHM = "/dev/shm"
FOLDER = Path(tempfile.mkdtemp(prefix="grace-fuzz-", dir=_SHM if os.path.isdir(_SHM) else None))
PATH = FOLDER / "input.zip"


def one_input(data: bytes) -> None:
    check(PATH, data)


if __name__ == "__main__":
    main(one_input)
