"""Fuzz the media decode wrapper: any bytes give a ``DecodedMedia`` or a ``MediaError``."""

from __future__ import annotations

import atheris
from harness import main

with atheris.instrument_imports(include=["grace"]):
    from media_target import check


def one_input(data: bytes) -> None:
    check(data)


if __name__ == "__main__":
    main(one_input)
