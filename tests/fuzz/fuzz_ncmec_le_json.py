"""Fuzz the ncmec_le_json referral ingestor: sniff, parse, and lay out the rows ingest stores."""

from __future__ import annotations

import atheris
from harness import main

with atheris.instrument_imports(include=["grace"]):
    from ingest_target import check

    from grace.ingest.ncmec_le_json import NcmecLeJsonIngestor

INGESTOR = NcmecLeJsonIngestor()


def one_input(data: bytes) -> None:
    check(INGESTOR, data)


if __name__ == "__main__":
    main(one_input)
