"""Unit-test fixtures: where the third-party conformance samples live.

They are read in place from the ``shared`` checkout beside the repository and never
copied in, so their provenance (documented in its README) stays in one place. Without
that checkout the tests that need it are skipped rather than failed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_data import CONFORMANCE

REPO_ROOT = Path(__file__).resolve().parents[2]
FORMATS = CONFORMANCE / "formats"


@pytest.fixture
def ncmec_dir() -> Path:
    """``shared/conformance/formats/ncmec``: NCMEC's XSD and sample ESP XML."""
    path = FORMATS / "ncmec"
    if not (path / "cyber_tipline.xsd").is_file():
        pytest.skip(f"conformance samples not found at {path}")
    return path
