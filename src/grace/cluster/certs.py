"""Certificates for a grace Dask cluster: one private CA, one certificate per role.

Why mutual TLS: Dask's scheduler has no authentication of its own, and whoever reaches it can
run code on every worker. With TLS configured, Dask requires a certificate signed by the CA
from both ends of every connection (scheduler, workers, clients), so the CA's key is the key
to the cluster: keep it off the workers. Each role's certificate carries both server and
client use (a worker also listens for its peers) and the names/IPs the nodes are reached at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from grace.tls import self_signed_ca, subject_alt_names, write_private

ROLES = ("scheduler", "worker", "client")
DEFAULT_SANS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class ClusterCerts:
    """The files of one role: the CA to trust, its own certificate and key."""

    ca: Path
    cert: Path
    key: Path


def role_paths(folder: Path, role: str) -> ClusterCerts:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    return ClusterCerts(folder / "ca.pem", folder / f"{role}.pem", folder / f"{role}.key")


def _private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    write_private(
        path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def make_cluster_certs(
    folder: Path, sans: tuple[str, ...] = DEFAULT_SANS, days: int = 365
) -> dict[str, ClusterCerts]:
    """Create ``ca.pem``/``ca.key`` and a certificate + key per role under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = self_signed_ca(ca_key, "grace cluster CA", now, days)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    _private(folder / "ca.key", ca_key)
    usage = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    out = {}
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"grace {role}")]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=days))
            .add_extension(subject_alt_names(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usage), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        paths = role_paths(folder, role)
        paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _private(paths.key, key)
        out[role] = paths
    return out
