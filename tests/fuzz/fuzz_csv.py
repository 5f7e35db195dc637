"""Fuzz the CSV hash-set reader, alone and through format detection (``read_bank``)."""

from __future__ import annotations

import atheris
from harness import main

with atheris.instrument_imports(include=["grace"]):
    from bank_target import check

    from grace.banks import ParsedBank
    from grace.banks.csvfmt import read_csv
    from grace.banks.values import decode_text


def read(data: bytes) -> ParsedBank:
    return read_csv(decode_text(data))


def one_input(data: bytes) -> None:
    check(read, data)


if __name__ == "__main__":
    main(one_input)
