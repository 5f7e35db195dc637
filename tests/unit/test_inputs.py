"""The safe input reader refuses each hostile input with a clear reason and keeps the rest."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from grace.ingest.inputs import Bundle, InputProblem, Limits, Member, open_inputs
from grace.ingest.zipsafe import MemberReadError, normalize_name, read_limited
from hostile import GOOD_TEXT, LIE_REAL_BYTES, PLAIN, build_hostile_inputs

MiB = 1024**2
SMALL = Limits(max_member_bytes=1 * MiB, max_members=10)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_hostile_inputs(tmp_path_factory.mktemp("hostile"))


def one(path: Path, limits: Limits = Limits()) -> Bundle | InputProblem:
    items = list(open_inputs([path], limits))
    assert len(items) == 1, items
    return items[0]


def bundle_of(path: Path, limits: Limits = Limits()) -> Bundle:
    item = one(path, limits)
    assert isinstance(item, Bundle), item
    return item


def reasons(bundle: Bundle) -> dict[str, str]:
    return {p.source.split("!", 1)[1]: p.reason for p in bundle.problems}


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize("name", [n for n in PLAIN if not n.endswith(".zip")])
def test_lone_non_zip_file_is_one_member_bundle(hostile: dict[str, Path], name: str) -> None:
    bundle = bundle_of(hostile[name])
    assert bundle.source == str(hostile[name])
    assert list(bundle.members) == [name]
    assert bundle.members[name].read() == PLAIN[name]
    assert bundle.members[name].size == len(PLAIN[name])


def test_file_named_zip_that_is_not_a_zip(hostile: dict[str, Path]) -> None:
    item = one(hostile["fake.zip"])
    assert isinstance(item, InputProblem)
    assert item.reason == "named .zip but is not a zip archive"
    assert item.data == PLAIN["fake.zip"]


def test_zip_is_sniffed_by_magic_not_name(tmp_path: Path) -> None:
    bundle = bundle_of(make_zip(tmp_path / "bundle.dat", {"report.xml": b"<report/>"}))
    assert bundle.members["report.xml"].read() == b"<report/>"


def test_zip_bomb_refused_by_header_ratio(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["bomb.zip"])
    assert bundle.members == {}
    (problem,) = bundle.problems
    assert problem.source == f"{hostile['bomb.zip']}!zeros.bin"
    assert "zip bomb" in problem.reason
    assert problem.data is None


def test_traversal_and_absolute_names_refused(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["traversal.zip"])
    assert bundle.members["good.txt"].read() == GOOD_TEXT
    assert reasons(bundle) == {
        "../evil.txt": "path escapes the bundle (../)",
        "/abs.txt": "absolute path",
        "C:\\win.txt": "absolute path (drive letter)",
        "..\\back.txt": "path escapes the bundle (../)",
        "\\\\server\\x": "absolute path",
    }
    assert all(p.data == b"escaped\n" for p in bundle.problems)  # small: kept for quarantine


def test_symlink_entry_refused(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["symlink.zip"])
    assert list(bundle.members) == ["good.txt"]
    assert reasons(bundle) == {"link": "symlink entry not followed"}
    assert bundle.problems[0].data is None


def test_oversize_member_refused_by_header(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["oversize.zip"], SMALL)
    assert list(bundle.members) == ["good.txt"]
    assert "over the size limit" in reasons(bundle)["big.bin"]
    assert bundle.problems[0].data is None


def test_truncated_zip_refused_whole_with_head(hostile: dict[str, Path]) -> None:
    item = one(hostile["truncated.zip"])
    assert isinstance(item, InputProblem)
    assert item.reason.startswith("unreadable zip: ")
    assert "\n" not in item.reason
    assert item.data == hostile["truncated.zip"].read_bytes()[: 1 * MiB]


def test_encrypted_entry_refused(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["encrypted.zip"])
    assert bundle.members == {}
    assert reasons(bundle) == {"secret.txt": "encrypted entry"}


def test_every_copy_of_a_duplicate_name_refused(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["duplicate.zip"])
    assert list(bundle.members) == ["good.txt"]
    assert [p.reason for p in bundle.problems] == ["duplicate name 'report.xml'"] * 2
    assert [p.data for p in bundle.problems] == [b"<report>one</report>", b"<report>two</report>"]


def test_too_many_members_refuses_whole_zip(hostile: dict[str, Path]) -> None:
    item = one(hostile["many.zip"], SMALL)
    assert isinstance(item, InputProblem)
    assert item.reason == "50 entries over the limit of 10"
    assert len(bundle_of(hostile["many.zip"]).members) == 50


def test_nested_zip_is_an_ordinary_member(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["nested.zip"])
    assert sorted(bundle.members) == ["good.txt", "inner.zip"]
    assert bundle.members["inner.zip"].read().startswith(b"PK\x03\x04")


def test_header_that_lies_about_size_fails_on_read(hostile: dict[str, Path]) -> None:
    bundle = bundle_of(hostile["header-lie.zip"])
    member = bundle.members["liar.bin"]
    assert member.size == 1000
    with pytest.raises(MemberReadError):
        member.read()
    with pytest.raises(ValueError):  # callers catching bad data catch this too
        member.read()


def test_streaming_counter_stops_at_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An honest header over the limit: the reader must stop soon after the limit."""
    path = make_zip(tmp_path / "big.zip", {"zeros.bin": bytes(LIE_REAL_BYTES)})
    produced = [0]
    real_read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = real_read(self, n)
        produced[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    limits = Limits(max_member_bytes=1 * MiB, max_ratio=1e9)
    with zipfile.ZipFile(path) as zf, pytest.raises(MemberReadError, match="size limit"):
        read_limited(zf, zf.getinfo("zeros.bin"), limits)
    assert 1 * MiB < produced[0] <= 1 * MiB + 64 * 1024


def test_streaming_counter_stops_on_ratio(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "big.zip", {"zeros.bin": bytes(LIE_REAL_BYTES)})
    with zipfile.ZipFile(path) as zf, pytest.raises(MemberReadError, match="zip bomb"):
        read_limited(zf, zf.getinfo("zeros.bin"), Limits())


def test_archive_total_limit_refuses_the_overflow(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "t.zip", {f"m{i}.txt": bytes(100) for i in range(3)})
    bundle = bundle_of(path, Limits(max_total_bytes=250))
    assert sorted(bundle.members) == ["m0.txt", "m1.txt"]
    assert "archive total over the limit" in reasons(bundle)["m2.txt"]


def test_zip_directory_entries_skipped_and_subpaths_kept(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "d.zip", {"files/": b"", "files/a.txt": b"a", "./b.txt": b"b"})
    bundle = bundle_of(path)
    assert sorted(bundle.members) == ["b.txt", "files/a.txt"]
    assert bundle.members["files/a.txt"].read() == b"a"
    assert bundle.problems == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a/b.xml", "a/b.xml"), ("a\\b.xml", "a/b.xml"), ("./a//b", "a/b"), ("a/./b", "a/b")],
)
def test_normalize_name_accepts(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    "raw", ["../x", "a/../../x", "/x", "\\x", "C:x", "c:\\x", "a\nb", "./", "a/.."]
)
def test_normalize_name_refuses(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_name(raw)


def test_zip_changed_after_check_is_not_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", {"a.txt": b"first"})
    bundle = bundle_of(path)
    make_zip(tmp_path / "b.zip", {"a.txt": b"other contents"}).replace(path)
    with pytest.raises(MemberReadError, match="changed"):
        bundle.members["a.txt"].read()


def test_bundle_close_releases_and_reopens(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "a.zip", {"a.txt": b"A", "b.txt": b"B"})
    with bundle_of(path) as bundle:
        assert bundle.members["a.txt"].read() == b"A"
    assert bundle.members["b.txt"].read() == b"B"
    bundle.close()


def test_directory_walk_one_bundle_per_folder(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "b" / "d").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a.xml").write_bytes(b"<a/>")
    (root / "b" / "c.xml").write_bytes(b"<c/>")
    (root / "b" / "d" / "e.json").write_bytes(b"{}")
    make_zip(root / "b" / "bundle.zip", {"r.xml": b"<r/>"})
    (root / "link.xml").symlink_to(root / "a.xml")
    (root / "linkdir").symlink_to(root / "b")
    os.mkfifo(root / "pipe")

    items = list(open_inputs([root]))
    summary = [
        (type(i).__name__, i.source, sorted(i.members) if isinstance(i, Bundle) else i.reason)
        for i in items
    ]
    assert summary == [
        ("InputProblem", str(root / "link.xml"), "symlink not followed"),
        ("InputProblem", str(root / "linkdir"), "symlink not followed"),
        ("InputProblem", str(root / "pipe"), "not a regular file"),
        ("Bundle", str(root), ["a.xml"]),
        ("Bundle", str(root / "b"), ["c.xml"]),
        ("Bundle", str(root / "b" / "bundle.zip"), ["r.xml"]),
        ("Bundle", str(root / "b" / "d"), ["e.json"]),
    ]
    assert items == list(open_inputs([root]))  # deterministic
    assert isinstance(items[4], Bundle)
    assert items[4].members["c.xml"].read() == b"<c/>"


def test_directory_files_are_read_lazily_and_limited(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")
    bundle = bundle_of(tmp_path, Limits(max_member_bytes=10))
    (tmp_path / "a.txt").write_bytes(b"new")
    assert bundle.members["a.txt"].read() == b"new"
    (tmp_path / "a.txt").write_bytes(b"x" * 11)  # grew past the limit after the walk
    with pytest.raises(MemberReadError, match="size limit"):
        bundle.members["a.txt"].read()


def test_oversize_file_on_disk_refused(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(bytes(11))
    item = one(tmp_path / "big.bin", Limits(max_member_bytes=10))
    assert isinstance(item, InputProblem)
    assert "over the size limit" in item.reason


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    items = list(open_inputs([tmp_path / "nope.xml", tmp_path / "empty"]))
    assert items == [
        InputProblem(str(tmp_path / "nope.xml"), "no such file or directory"),
        InputProblem(str(tmp_path / "empty"), "folder holds no files"),
    ]


def test_symlink_named_on_command_line_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.xml").write_bytes(b"<r/>")
    (tmp_path / "alias.xml").symlink_to(tmp_path / "real.xml")
    bundle = bundle_of(tmp_path / "alias.xml")
    assert bundle.source == str(tmp_path / "alias.xml")
    assert bundle.members["alias.xml"].read() == b"<r/>"


def test_member_from_bytes() -> None:
    member = Member.from_bytes("x.xml", b"<x/>")
    assert (member.name, member.size, member.read()) == ("x.xml", 4, b"<x/>")
