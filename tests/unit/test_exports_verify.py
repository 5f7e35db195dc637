"""Tampered export packages fail verification, each with a clear one-line reason."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from export_data import NEW_A, ExportData, populate
from grace.cli.main import app
from grace.exports import build_package, load_or_create_signing_key, verify_package
from grace.exports.layout import manifest_bytes
from grace.exports.signing import fingerprint, key_path, public_pem
from grace.workspace import Workspace

Change = Callable[[str, bytes], bytes | None]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, ExportData, Path]]:
    tmp = tmp_path_factory.mktemp("exports")
    workspace = Workspace.init(tmp / "home")
    data = populate(workspace, tmp)
    result = build_package(workspace, [data.de, data.fr], actor="test:exporter")
    yield workspace, data, result.path
    workspace.close()


@pytest.fixture
def package(built: tuple[Workspace, ExportData, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "package.zip"
    shutil.copy(built[2], copy)
    return copy


def rewrite(source: Path, change: Change, extra: dict[str, bytes] | None = None) -> Path:
    """A copy of the package with members changed (None drops one) and members added."""
    target = source.with_name("tampered.zip")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def evidence_member(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return next(n for n in archive.namelist() if n.startswith("files/"))


def reasons(path: Path, pinned: Ed25519PrivateKey | None = None) -> list[str]:
    report = verify_package(path, pinned.public_key() if pinned else None)
    assert report.ok == (not report.reasons)
    return report.reasons


def test_intact_package_verifies_and_holds_the_original_bytes(package: Path) -> None:
    report = verify_package(package)
    assert report.ok, report.reasons
    assert report.members_checked == 4  # 2 referral documents + 2 files (known one left out)
    assert "not pinned" in report.warnings[0]
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        first = next(f for f in manifest["files"] if f["original_name"] == "orig_a.jpg")
        assert archive.read(first["path"]) == NEW_A  # byte-exact evidence
    assert manifest["selection"]["mode"] == "default"
    assert [e["media_status"] for e in manifest["selection"]["excluded"]] == ["known"]


def test_flipped_evidence_byte_is_caught(package: Path) -> None:
    name = evidence_member(package)

    def flip(member: str, data: bytes) -> bytes:
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if member == name else data

    found = reasons(rewrite(package, flip))
    assert found == [
        f"member {name!r}: md5 differs from the manifest",
        f"member {name!r}: sha1 differs from the manifest",
        f"member {name!r}: sha256 differs from the manifest",
    ]


def test_truncated_evidence_is_caught(package: Path) -> None:
    name = evidence_member(package)
    tampered = rewrite(package, lambda m, d: d[:-1] if m == name else d)
    assert reasons(tampered) == [f"member {name!r}: size differs from the manifest"]


def test_flipped_byte_in_the_zip_itself_is_caught(package: Path) -> None:
    raw = bytearray(package.read_bytes())
    at = raw.index(NEW_A[200:240]) + 5  # evidence is stored uncompressed
    raw[at] ^= 0xFF
    package.write_bytes(bytes(raw))
    (reason,) = reasons(package)
    assert "unreadable" in reason and "CRC" in reason


def test_edited_manifest_breaks_the_signature(package: Path) -> None:
    def edit(member: str, data: bytes) -> bytes:
        return (
            data.replace(b"test:exporter", b"test:someone1") if member == "manifest.json" else data
        )

    assert reasons(rewrite(package, edit)) == [
        "manifest.sig does not match manifest.json (altered or swapped)"
    ]


def test_swapped_signature_is_caught(package: Path) -> None:
    other = Ed25519PrivateKey.generate()

    def swap(member: str, data: bytes) -> bytes:
        return other.sign(b"something else") if member == "manifest.sig" else data

    assert reasons(rewrite(package, swap)) == [
        "manifest.sig does not match manifest.json (altered or swapped)"
    ]


def test_resigned_package_passes_integrity_but_not_a_pinned_key(
    package: Path, built: tuple[Workspace, ExportData, Path]
) -> None:
    """Anyone can re-sign with their own key: only pinning the sender's key shows origin."""
    forger = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["creator"] = "someone:else"
    manifest["signer"]["fingerprint"] = fingerprint(forger.public_key())
    body = manifest_bytes(manifest)
    replaced = {
        "manifest.json": body,
        "manifest.sig": forger.sign(body),
        "signer.pub": public_pem(forger.public_key()),
    }
    forged = rewrite(package, lambda member, data: replaced.get(member, data))
    assert reasons(forged) == []
    genuine = load_or_create_signing_key(built[0].home)
    (reason,) = reasons(forged, genuine)
    assert reason.startswith(f"signer {fingerprint(forger.public_key())} is not the pinned key")
    assert reasons(package, genuine) == []


def test_extra_member_is_refused(package: Path) -> None:
    tampered = rewrite(package, lambda m, d: d, {"files/1/extra.jpg": NEW_A})
    assert reasons(tampered) == ["extra member 'files/1/extra.jpg' (not in the manifest)"]


def test_missing_member_is_refused(package: Path) -> None:
    name = evidence_member(package)
    tampered = rewrite(package, lambda m, d: None if m == name else d)
    assert reasons(tampered) == [f"missing member {name!r} (listed in the manifest)"]


def test_missing_signature_is_refused(package: Path) -> None:
    tampered = rewrite(package, lambda m, d: None if m == "manifest.sig" else d)
    assert reasons(tampered) == ["missing manifest.sig"]


@pytest.mark.parametrize("name", ["../evil.txt", "files/../../evil.txt", "/etc/evil", "C:/evil"])
def test_traversal_names_are_refused(package: Path, name: str) -> None:
    found = reasons(rewrite(package, lambda m, d: d, {name: b"x"}))
    assert len(found) == 1 and found[0].startswith(f"unsafe member name {name!r}")


def test_duplicate_member_is_refused(package: Path) -> None:
    name = evidence_member(package)
    with pytest.warns(UserWarning, match="Duplicate name"):
        tampered = rewrite(package, lambda m, d: d, {name: NEW_A})
    assert f"duplicate member {name!r}" in reasons(tampered)


def test_symlink_member_is_refused(package: Path) -> None:
    info = zipfile.ZipInfo("files/1/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(package, "a") as archive:
        archive.writestr(info, "/etc/passwd")
    assert reasons(package) == ["member 'files/1/link' is not a plain file"]


def test_not_a_zip(tmp_path: Path) -> None:
    bogus = tmp_path / "p.zip"
    bogus.write_bytes(b"not a zip at all")
    (reason,) = reasons(bogus)
    assert reason.startswith("not a readable zip archive")


def test_signing_key_is_private_to_the_owner(built: tuple[Workspace, ExportData, Path]) -> None:
    mode = stat.S_IMODE(key_path(built[0].home).stat().st_mode)
    assert mode == 0o600


def test_cli_verify_key_and_wrong_key(
    package: Path, built: tuple[Workspace, ExportData, Path], tmp_path: Path
) -> None:
    runner = CliRunner()
    home = str(built[0].home)
    shown = runner.invoke(app, ["export", "key", "--home", home])
    assert shown.exit_code == 0 and shown.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in shown.output
    pub = tmp_path / "sender.pub"
    pub.write_text(shown.stdout)
    good = runner.invoke(app, ["export", "verify", str(package), "--key", str(pub), "--json"])
    assert good.exit_code == 0 and json.loads(good.stdout)["valid"] is True
    stranger = tmp_path / "stranger.pub"
    stranger.write_bytes(public_pem(Ed25519PrivateKey.generate().public_key()))
    bad = runner.invoke(app, ["export", "verify", str(package), "--key", str(stranger)])
    assert bad.exit_code == 1
    assert "is not the pinned key" in bad.output
    unpinned = runner.invoke(app, ["export", "verify", str(package)])
    assert unpinned.exit_code == 0 and "proves integrity, not origin" in unpinned.output


def test_cli_package_vics_and_queue_csv(
    built: tuple[Workspace, ExportData, Path], tmp_path: Path
) -> None:
    runner = CliRunner()
    workspace, data, _ = built
    home = ["--home", str(workspace.home)]
    made = runner.invoke(app, ["export", "package", str(data.de), "--all-files", "--json", *home])
    assert made.exit_code == 0, made.output
    result = json.loads(made.stdout)
    assert result["files"] == 2 and Path(result["path"]).parent == workspace.home / "exports"
    assert verify_package(Path(result["path"])).ok
    missing = runner.invoke(app, ["export", "package", "99999", *home])
    assert missing.exit_code == 1 and "no referral with id 99999" in missing.output
    vics = runner.invoke(app, ["export", "vics", *home])
    assert vics.exit_code == 0 and json.loads(vics.stdout)["@odata.context"].endswith("#Cases")
    out = tmp_path / "queue.csv"
    queue = runner.invoke(app, ["export", "queue-csv", "--out", str(out), "--json", *home])
    assert queue.exit_code == 0 and json.loads(queue.stdout)["rows"] == 2
    assert out.read_text().startswith("id,external_id,score,")
