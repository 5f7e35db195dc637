"""Certificates, node keys and the argument strings grace hands to Flower (no processes)."""

from __future__ import annotations

import ipaddress
import stat
import tomllib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_ssh_private_key,
    load_ssh_public_key,
)

from grace.federation import deploy
from grace.federation.certs import make_certs, make_node_key


def test_server_certificate_is_signed_by_the_ca_for_loopback_names(tmp_path: Path) -> None:
    paths = make_certs(tmp_path / "certs")
    ca = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    server = x509.load_pem_x509_certificate(paths.server_cert.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert server.issuer == ca.subject
    ca.public_key().verify(  # type: ignore[union-attr, call-arg]
        server.signature,
        server.tbs_certificate_bytes,
        padding.PKCS1v15(),
        server.signature_hash_algorithm,
    )
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    key = load_pem_private_key(paths.server_key.read_bytes(), None)
    assert key.public_key() == server.public_key()
    for private in (paths.ca_key, paths.server_key):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_node_key_is_p384_in_openssh_format(tmp_path: Path) -> None:
    private, public = make_node_key(tmp_path / "keys", "agency1")
    assert public.read_text().startswith("ecdsa-sha2-nistp384 ")
    pub = load_ssh_public_key(public.read_bytes())
    priv = load_ssh_private_key(private.read_bytes(), None)
    assert isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name == "secp384r1"
    assert priv.public_key() == pub
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    with pytest.raises(ValueError):
        make_node_key(tmp_path / "keys", "../escape")


def test_flower_arguments_and_environment(tmp_path: Path) -> None:
    text = deploy.node_config_arg({"workspace": "/srv/a b", "partition-id": 2})
    assert text == 'workspace="/srv/a b" partition-id=2'
    with pytest.raises(deploy.DeployError):
        deploy.node_config_arg({"workspace": 'bad"path'})
    assert deploy.config_arg({"secagg": False, "num-rounds": 3, "strategy": "krum"}) == (
        'secagg=false num-rounds=3 strategy="krum"'
    )
    deploy.write_connection(tmp_path / "flwr", "127.0.0.1:8000", tmp_path / "ca.crt")
    config = tomllib.loads((tmp_path / "flwr" / "config.toml").read_text())
    assert config["superlink"]["default"] == "grace"
    assert config["superlink"]["grace"]["address"] == "127.0.0.1:8000"
    env = deploy.flower_env(tmp_path / "flwr")
    assert env["FLWR_TELEMETRY_ENABLED"] == "0"
    assert env["FLWR_DISABLE_UPDATE_CHECK"] == "1"
    assert env["FLWR_HOME"] == str(tmp_path / "flwr")


def test_superlink_always_runs_with_tls_auth_and_no_runtime_installs(tmp_path: Path) -> None:
    make_certs(tmp_path / "federation" / "certs")
    layout = deploy.prepare_server(tmp_path, "127.0.0.1", 8123)
    argv = deploy.superlink_argv(layout, "127.0.0.1", 8123)
    for flag in (
        "--enable-supernode-auth",
        "--disable-runtime-dependency-installation",
        "--ssl-ca-certfile",
        "--ssl-certfile",
        "--ssl-keyfile",
    ):
        assert flag in argv
    assert "--insecure" not in argv
    with pytest.raises(deploy.DeployError, match="grace fl certs"):
        deploy.prepare_server(tmp_path / "elsewhere", "127.0.0.1", 8123)


def test_cli_writes_certificates_and_keys_where_the_server_and_client_look(
    tmp_path: Path,
) -> None:
    import json

    from typer.testing import CliRunner

    from grace.cli.fl_cmd import app

    runner = CliRunner()
    home = tmp_path / "coord"
    out = runner.invoke(app, ["certs", "--home", str(home), "--json"])
    assert out.exit_code == 0, out.output
    written = json.loads(out.stdout)
    assert written["ca_cert"] == str(deploy.Layout.of(home.resolve()).certs.ca_cert)
    deploy.prepare_server(home.resolve(), "127.0.0.1", 8000)  # finds them: no error
    out = runner.invoke(
        app, ["keygen", "--agency", "ag1", "--home", str(tmp_path / "ag1"), "--json"]
    )
    assert out.exit_code == 0, out.output
    keys = json.loads(out.stdout)
    assert Path(keys["public_key"]).read_text().startswith("ecdsa-sha2-nistp384 ")
    out = runner.invoke(
        app,
        ["client", "--agency", "nobody", "--home", str(tmp_path / "ag1"),
         "--superlink", "127.0.0.1:1", "--ca", str(tmp_path / "ca.crt")],
    )  # fmt: skip
    assert out.exit_code == 1 and "grace fl keygen" in out.output
