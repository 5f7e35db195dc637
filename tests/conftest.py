"""Shared test setup: put tests/ on sys.path so helpers like ``hostile`` import plainly."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
