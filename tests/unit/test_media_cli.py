"""``grace hash`` (tested on its own Typer app) and the hasher registry's plug-in path."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import ClassVar

import pytest
import typer
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from grace.cli.hash_cmd import hash_files
from grace.media.analyse import analyse_bytes
from grace.media.decode import DecodedMedia
from grace.media.hashers import Hasher, HashValue, registry
from grace.media.hashers.crypto import CryptoHasher
from grace.media.hashers.pdq import PdqHasher

app = typer.Typer()
app.command()(hash_files)


def _picture(path: Path) -> Path:
    img = Image.new("RGB", (300, 200), (30, 120, 60))
    ImageDraw.Draw(img).ellipse((40, 30, 220, 180), fill=(230, 230, 40))
    img.save(path, "PNG")
    return path


def test_json_lines_and_exit_status(tmp_path: Path) -> None:
    good = _picture(tmp_path / "a.png")
    bad = tmp_path / "b.jpg"
    bad.write_bytes(good.read_bytes()[:10])
    result = CliRunner().invoke(app, [str(good), str(bad), "--json"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    first, second = lines
    for key in ("path", "md5", "sha1", "sha256", "size", "mime", "width", "height", "pdq"):
        assert key in first
    assert first["path"] == str(good) and first["width"] == 300 and first["pdq_quality"] > 50
    assert len(first["pdq"]) == 64 and len(first["dihedral"]) == 8
    assert second["path"] == str(bad) and second["error"]
    assert "pdq" not in second


def test_all_good_exits_zero_and_exact_flag(tmp_path: Path) -> None:
    good = _picture(tmp_path / "a.png")
    result = CliRunner().invoke(app, [str(good), "--json", "--exact"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["pipeline"] == "exact"


def test_table_output(tmp_path: Path) -> None:
    good = _picture(tmp_path / "a.png")
    result = CliRunner().invoke(app, [str(good)])
    assert result.exit_code == 0
    assert "image/png" in result.stdout


def test_builtin_identity_constants() -> None:
    assert registry.names()[:3] == ["crypto", "pdq", "vpdq"]
    assert PdqHasher.kinds == frozenset({"image"})
    assert CryptoHasher().compute(b"abc")[0] == HashValue("md5", "900150983cd24fb0d6963f7d28e17f72")


class _SizeParity(Hasher):
    """A stand-in for an agency plug-in (PhotoDNA, an embedding...)."""

    name: ClassVar[str] = "test-parity"
    version: ClassVar[str] = "0.1"
    kinds: ClassVar[frozenset[str]] = frozenset({"image"})

    def _compute(self, media: DecodedMedia) -> list[HashValue]:
        return [HashValue("parity", str(len(media.data) % 2))]


@pytest.fixture
def plugin() -> object:
    registry.register(_SizeParity)
    yield _SizeParity
    registry.unregister(_SizeParity.name)


def test_registered_hasher_runs_and_is_reported(plugin: object, tmp_path: Path) -> None:
    data = _picture(tmp_path / "a.png").read_bytes()
    result = analyse_bytes(data)
    assert result.hasher_versions["test-parity"] == "0.1"
    record = result.to_record()
    assert record["extra"]["test-parity"] == [
        {"kind": "parity", "value": str(len(data) % 2), "variant": "", "quality": None}
    ]
    with pytest.raises(ValueError):

        class Other(_SizeParity):
            pass

        registry.register(Other)


def test_failing_plugin_does_not_crash(tmp_path: Path) -> None:
    class Broken(_SizeParity):
        name: ClassVar[str] = "test-broken"

        def _compute(self, media: DecodedMedia) -> list[HashValue]:
            raise RuntimeError("licence server unreachable")

    registry.register(Broken)
    try:
        out = io.BytesIO()
        Image.new("RGB", (64, 64), "white").save(out, "PNG")
        result = analyse_bytes(out.getvalue())
        assert result.error and "test-broken" in result.error
        assert result.pdq is not None
    finally:
        registry.unregister("test-broken")
