"""Rebuild the committed seed corpus under ``tests/fuzz/corpus/<target>/`` (deterministic).

Seeds come from grace's own benign writers (the demo generator, ``tests/builders.py``) and
the structural shapes of ``tests/hostile.py``, never from outside data: small, synthetic
and reviewable. libFuzzer mutates from these, so each format starts with a valid document
(deep coverage at once) and a few broken ones (the refusal paths).

    .venv/bin/python tests/fuzz/make_seeds.py
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pillow_heif
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from builders import drawn_png, grace_referral, le_json  # noqa: E402
from grace.banks import read_vics, write_csv, write_pdq_list  # noqa: E402
from grace.demo.generate import generate  # noqa: E402
from grace.ingest.registry import choose  # noqa: E402
from hostile import LAUGHS, PLAIN, _duplicate, _encrypted, _symlink, _traversal  # noqa: E402

CORPUS = HERE / "corpus"
MAX_SEED = 16 * 1024
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def demo_documents(folder: Path) -> dict[str, list[bytes]]:
    """Referral documents of a small demo stream, by the ingestor that claims them."""
    summary = generate(folder, referrals=12, seed=3)
    found: dict[str, list[bytes]] = {"vics": [summary.hashset_path.read_bytes()]}
    for name, data in _members(summary.input_dir):
        ingestor = choose(name, data[:4096])
        if ingestor is not None:
            found.setdefault(ingestor.name, []).append(data)
    return found


def _members(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                yield from ((n, zf.read(n)) for n in sorted(zf.namelist()))
        elif path.is_file():
            yield path.name, path.read_bytes()


def tiny_images() -> list[bytes]:
    """One small drawn picture in every format the decode wrapper handles."""
    pillow_heif.register_heif_opener()
    base = Image.open(io.BytesIO(drawn_png(3, size=24))).convert("RGB")
    out = []
    for fmt, mode in (("PNG", "RGB"), ("JPEG", "RGB"), ("JPEG", "L"), ("GIF", "P"), ("BMP", "RGB"),
                      ("TIFF", "RGB"), ("WEBP", "RGB"), ("ICO", "RGBA"), ("PPM", "RGB"),
                      ("PNG", "LA"), ("HEIF", "RGB")):
        buffer = io.BytesIO()
        base.convert(mode).save(buffer, format=fmt)
        out.append(buffer.getvalue())
    return out


def archives(folder: Path) -> list[bytes]:
    """A good bundle (stored and deflated) and the small hostile shapes."""
    referral = grace_referral(1, ["a.png"]).model_dump_json(exclude_none=True).encode()
    out = []
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", method) as zf:
            zf.writestr("tip/", b"")
            zf.writestr("tip/referral.json", referral)
            zf.writestr("tip/a.png", drawn_png(1, size=8))
        out.append(buffer.getvalue())
    for build in (_traversal, _symlink, _encrypted, _duplicate):
        path = folder / f"{build.__name__}.zip"
        build(path)
        out.append(path.read_bytes())
    return out


def banks(vics: bytes) -> dict[str, list[bytes]]:
    entries = read_vics(vics).entries
    vics_1x = {
        "odata.metadata": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/1.3.xml#Media",
        "value": [{"MD5": MD5.upper(), "Category": 1, "MediaSize": "488", "IsDistributed": "1",
                   "MediaFiles": [{"FileName": "a.jpg", "FilePath": "C:\\x"}],
                   "AlternativeHashes": {"PDQ": PDQ}}],
    }
    return {
        "vics": [vics, json.dumps(vics_1x).encode()],
        "csv": [write_csv(entries[:4]), f"MD5;PDQ Hash;Tags\n{MD5};{PDQ};a;b\n".encode()],
        "pdq": [write_pdq_list(entries[:4]), f"# list\n{PDQ},90\n{PDQ.upper()} 101\n".encode()],
    }


def seeds(folder: Path) -> dict[str, list[bytes]]:
    docs = demo_documents(folder)
    xml_bad = [v for k, v in PLAIN.items() if k.endswith(".xml")] + [LAUGHS]
    json_bad = [v for k, v in PLAIN.items() if k.endswith(".json")]
    grace_doc = grace_referral(2, ["x.png"]).model_dump_json(exclude_none=True).encode()
    return {
        "cybertip_xml": docs["cybertip_xml"][:4] + xml_bad,
        "ncmec_le_json": [*docs.get("ncmec_le_json", [])[:3], le_json("77", "f.png"), *json_bad],
        "grace_json": [*docs.get("grace_json", [])[:2], grace_doc, *json_bad],
        "archive": archives(folder),
        "decode": tiny_images(),
        **banks(docs["vics"][0]),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        built = seeds(Path(tmp))
    for target, items in sorted(built.items()):
        folder = CORPUS / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for data in items:
            if len(data) > MAX_SEED:
                data = data[:MAX_SEED]  # a cut document is a seed too (truncation paths)
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        print(f"{target}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
