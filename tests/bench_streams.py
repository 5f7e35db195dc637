"""Import one of the bench's stream generators in a test.

``bench/streams`` is a folder of scripts, not a package (the generators import their
siblings by plain name, as ``bench/triage_run.py`` runs them), so a test puts it on the
path for as long as it uses the module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

STREAMS = Path(__file__).resolve().parents[1] / "bench" / "streams"


@contextmanager
def stream_generator(name: str) -> Iterator[ModuleType]:
    """The generator module ``bench/streams/<name>.py``, importable while the block runs."""
    sys.path.insert(0, str(STREAMS))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(STREAMS))
