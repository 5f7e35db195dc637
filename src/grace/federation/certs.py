"""TLS certificates for the SuperLink and OpenSSH node keys for enrolled agencies.

Written with ``cryptography`` (already a grace dependency) rather than by shelling out to
openssl: no external binary to find, no config files to template, and the same code runs on
every operating system an agency uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from grace.tls import self_signed_ca, subject_alt_names, write_private

DEFAULT_SANS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class CertPaths:
    """Where ``make_certs`` wrote the CA and the SuperLink's certificate and key."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def cert_paths(folder: Path) -> CertPaths:
    return CertPaths(
        folder / "ca.crt", folder / "ca.key", folder / "server.pem", folder / "server.key"
    )


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def make_certs(folder: Path, sans: tuple[str, ...] = DEFAULT_SANS, days: int = 365) -> CertPaths:
    """Create a private CA and a server certificate it signs, valid for ``sans``.

    The SuperLink needs all three files (CA, certificate, key); SuperNodes and the ``flwr``
    CLI trust only the CA. Existing files are replaced: a new CA means re-distributing it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = cert_paths(folder)
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = self_signed_ca(ca_key, "grace federation CA", now, days)
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    host = sans[-1] if sans else "localhost"
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(subject_alt_names(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    write_private(paths.ca_key, _pem_key(ca_key))
    paths.server_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    write_private(paths.server_key, _pem_key(server_key))
    return paths


def make_node_key(folder: Path, agency: str) -> tuple[Path, Path]:
    """An EC P-384 key pair in OpenSSH format: the private half stays with the agency, the
    ``.pub`` half goes to the coordinator for ``grace fl enrol``."""
    if not agency or any(ch in agency for ch in "/\\\0") or agency.startswith("."):
        raise ValueError(f"agency name {agency!r} cannot be used as a file name")
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP384R1())
    private = folder / agency
    public = folder / f"{agency}.pub"
    write_private(
        private,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ),
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        + b"\n"
    )
    return private, public
