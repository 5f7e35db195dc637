"""Shared test setup: put tests/ on sys.path so helpers like ``hostile`` import plainly."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

# The product reads NCMEC's XSD and the conformance photos from configuration; point that
# configuration at the shared data wherever this checkout is (see shared_data.py).
import os

from shared_data import CONFORMANCE

_xsd = CONFORMANCE / "formats" / "ncmec" / "cyber_tipline.xsd"
if _xsd.exists():
    os.environ.setdefault("GRACE_NCMEC_XSD", str(_xsd))
if CONFORMANCE.exists():
    os.environ.setdefault("GRACE_CONFORMANCE_DIR", str(CONFORMANCE))
