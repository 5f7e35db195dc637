"""The exchange package format: manifest schema, signature and member checks."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from grace.exchange import package
from grace.exchange.node import Node

SCHEMA = json.loads((Path(__file__).parents[2] / "docs/exchange-package.schema.json").read_text())
MEMBERS = {"referral.json": b'{"a": 1}', "media/0": b"\x89PNG benign", "custody.json": b"[]"}


def _built() -> tuple[Node, bytes]:
    node = Node("europol", "europol", Ed25519PrivateKey.generate())
    recipient = {"node": "de-bka", "agency": "de-bka"}
    return node, package.build(node, "referral", recipient, MEMBERS, {"referral_id": 1})


def _rewrite(data: bytes, change: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, change.get(name, src.read(name)))
        for name, value in (add or {}).items():
            dst.writestr(name, value)
    return out.getvalue()


def test_manifest_matches_the_published_schema_and_members_round_trip() -> None:
    node, data = _built()
    manifest, raw, signature, archive = package.read_unverified(data)
    jsonschema.validate(manifest, SCHEMA)
    package.check_signature(raw, signature, node.key.public_key(), "europol")
    assert package.read_members(manifest, archive) == MEMBERS


@pytest.mark.parametrize(
    ("change", "add", "reason"),
    [
        ({"media/0": b"\x89PNG benigN"}, None, "tampered member media/0"),
        ({}, {"media/9": b"extra"}, "member media/9 is not in the manifest"),
    ],
)
def test_altered_or_added_members_are_refused(
    change: dict[str, bytes], add: dict[str, bytes] | None, reason: str
) -> None:
    _, data = _built()
    manifest, _, _, archive = package.read_unverified(_rewrite(data, change, add))
    with pytest.raises(package.PackageError, match=reason):
        package.read_members(manifest, archive)


def test_an_edited_manifest_fails_the_signature() -> None:
    node, data = _built()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["recipient"]["agency"] = "nl-police"
    edited = _rewrite(data, {"manifest.json": json.dumps(manifest).encode()})
    _, raw, signature, _ = package.read_unverified(edited)
    with pytest.raises(package.PackageError, match="bad signature"):
        package.check_signature(raw, signature, node.key.public_key(), "europol")


def test_receipts_verify_only_with_the_signer_and_unaltered() -> None:
    key = Ed25519PrivateKey.generate()
    receipt = package.sign_receipt(key, {"status": "ingested", "referral_id": 4})
    assert package.receipt_ok(key.public_key(), receipt)
    assert not package.receipt_ok(key.public_key(), {**receipt, "referral_id": 5})
    assert not package.receipt_ok(Ed25519PrivateKey.generate().public_key(), receipt)


def test_not_a_zip_is_one_line_malformed() -> None:
    with pytest.raises(package.PackageError, match=r"^malformed package") as caught:
        package.read_unverified(b"not a zip at all")
    assert "\n" not in str(caught.value)
