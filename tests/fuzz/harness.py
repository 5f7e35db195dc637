"""Shared plumbing for the atheris harnesses in this folder (no grace imports here).

Each ``fuzz_<target>.py`` imports grace inside ``atheris.instrument_imports`` so only the
parser under test (and the grace code it calls) carries coverage hooks; importing grace
here first would leave it uninstrumented. A harness swallows exactly the errors its parser
documents for bad input; anything else, a hang (``-timeout``) or memory blow-up
(``-rss_limit_mb``) is a crash that libFuzzer reports and ``run.py`` fails on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import atheris

Target = Callable[[bytes], None]


def main(target: Target) -> None:
    """Run libFuzzer on ``target`` with the command line ``run.py`` passes."""
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
