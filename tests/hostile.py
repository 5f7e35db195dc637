"""Benign but hostile inputs: the malformed and malicious shapes grace must refuse calmly.

Every file is synthetic (lorem text, zeros, PNG magic); "hostile" means the *structure* is
an attack (XXE, billion laughs, zip bomb, path traversal), never the content. Sizes are
chosen against ``Limits``: the zip bomb trips the default ratio and size limits while
staying quick to build, and size tests use a small ``Limits`` instead of huge files.
"""

from __future__ import annotations

import random
import stat
import struct
import warnings
import zipfile
from pathlib import Path

MiB = 1024**2
BOMB_BYTES = 300_000_000  # over the default 256 MiB member limit; ratio ~1000
OVERSIZE_BYTES = 2 * MiB  # over Limits(max_member_bytes=1 MiB), incompressible
LIE_REAL_BYTES = 5 * MiB  # header-lie member: really this big...
LIE_HEADER_BYTES = 1000  # ...but its headers claim this
MANY_MEMBERS = 50
GOOD_TEXT = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"
PNG_HEAD = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
)

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE report [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<report><reportId>&lol9;</reportId></report>
"""

PLAIN: dict[str, bytes] = {
    "bad-malformed.xml": b"<?xml version='1.0'?><report><reportId>1</report>",
    "bad-xxe.xml": b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<report><reportId>&x;</reportId></report>
""",
    "bad-laughs.xml": LAUGHS,
    "bad-extdtd.xml": b"""<?xml version="1.0"?>
<!DOCTYPE report SYSTEM "http://example.invalid/evil.dtd">
<report><reportId>1</reportId></report>
""",
    "bad-truncated.xml": b"<?xml version='1.0'?><report><reportId>12345</reportId><repor",
    "bad-truncated.json": b'{"reportId": "12345", "reporter": {"name": "Exa',
    "bad-array.json": b'[{"reportId": "1"}, {"reportId": "2"}]',
    "bad-utf8.json": b'{"reportId": "1", "note": "caf\xc3\x28 \xff\xfe"}',
    "bad-latin1.xml": b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<report><reportId>1</reportId><name>Jos\xe9 Mu\xf1oz</name></report>\n",
    "bad-png.xml": PNG_HEAD + bytes(64),
    "notes.txt": GOOD_TEXT * 20,
    "empty.xml": b"",
    "fake.zip": b"This is plain text pretending to be an archive.\n",
}


def build_hostile_inputs(dir: Path) -> dict[str, Path]:
    """Write every hostile input as its own file under ``dir``; return name -> path."""
    dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, data in PLAIN.items():
        out[name] = dir / name
        out[name].write_bytes(data)
    builders = {
        "bomb.zip": _bomb,
        "traversal.zip": _traversal,
        "symlink.zip": _symlink,
        "oversize.zip": _oversize,
        "truncated.zip": _truncated,
        "encrypted.zip": _encrypted,
        "duplicate.zip": _duplicate,
        "many.zip": _many,
        "nested.zip": _nested,
        "header-lie.zip": _header_lie,
    }
    for name, build in builders.items():
        out[name] = dir / name
        build(out[name])
    return out


def _bomb(path: Path) -> None:
    """300 MB of zeros (ratio ~1000), streamed so it needs little memory (about 1.5 s)."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("zeros.bin", "w", force_zip64=True) as fh,
    ):
        chunk = bytes(MiB)
        for _ in range(BOMB_BYTES // MiB):
            fh.write(chunk)
        fh.write(bytes(BOMB_BYTES % MiB))


def _traversal(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("../evil.txt", "/abs.txt", "C:\\win.txt", "..\\back.txt", "\\\\server\\x"):
            # ZipInfo keeps the name as given; zf.writestr(str) would sanitize some of them.
            zf.writestr(zipfile.ZipInfo(name), b"escaped\n")
        zf.writestr("good.txt", GOOD_TEXT)


def _symlink(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, b"/etc/passwd")
        zf.writestr("good.txt", GOOD_TEXT)


def _oversize(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.bin", random.Random(0).randbytes(OVERSIZE_BYTES))
        zf.writestr("good.txt", GOOD_TEXT)


def _truncated(path: Path) -> None:
    """A real zip cut in half: local headers survive, the central directory does not."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(4):
            zf.writestr(f"part{i}.txt", GOOD_TEXT * (i + 1))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _encrypted(path: Path) -> None:
    """A stored member with the 'encrypted' flag set in both headers."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("secret.txt", GOOD_TEXT)
    _patch(path, flags=0x1)


def _duplicate(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, as it should
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("report.xml", b"<report>one</report>")
            zf.writestr("report.xml", b"<report>two</report>")
            zf.writestr("good.txt", GOOD_TEXT)


def _many(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(MANY_MEMBERS):
            zf.writestr(f"m{i:03d}.txt", GOOD_TEXT)


def _nested(path: Path) -> None:
    inner = path.with_name("inner-tmp.zip")
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("inside.txt", GOOD_TEXT)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("inner.zip", inner.read_bytes())
        zf.writestr("good.txt", GOOD_TEXT)
    inner.unlink()


def _header_lie(path: Path) -> None:
    """5 MiB of zeros whose local and central headers claim 1000 bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("liar.bin", bytes(LIE_REAL_BYTES))
    _patch(path, file_size=LIE_HEADER_BYTES)


def _patch(path: Path, flags: int | None = None, file_size: int | None = None) -> None:
    """Rewrite fields of the first local and central header of a one-member zip."""
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    if flags is not None:
        struct.pack_into("<H", data, local + 6, flags)
        struct.pack_into("<H", data, central + 8, flags)
    if file_size is not None:
        struct.pack_into("<I", data, local + 22, file_size)
        struct.pack_into("<I", data, central + 24, file_size)
    path.write_bytes(bytes(data))
