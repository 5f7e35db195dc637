"""Fuzz the VICS JSON hash-set reader, alone and through format detection (``read_bank``)."""

from __future__ import annotations

import atheris
from harness import main

with atheris.instrument_imports(include=["grace"]):
    from bank_target import check

    from grace.banks.vics import read_vics

READER = read_vics


def one_input(data: bytes) -> None:
    check(READER, data)


if __name__ == "__main__":
    main(one_input)
