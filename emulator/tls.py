"""HTTPS for `cesce-emulator serve`: a local certificate authority and a certificate for this
machine's local names, made once and kept in a directory, or the user's own certificate.

The CA's private key is thrown away once it has signed the certificate: trusting the CA file
then trusts this one certificate and nothing else anyone could sign later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from emulator.clock import system_now

#: The names the made certificate is valid for: what a client on this machine dials.
NAMES = ("localhost", "127.0.0.1", "::1")
CA_FILE, CERT_FILE, KEY_FILE = "cesce-ca.pem", "cesce-localhost.pem", "cesce-localhost-key.pem"
#: Apple's platforms refuse a server certificate valid for longer than 825 days.
LIFETIME = timedelta(days=825)
#: A certificate this close to its end is made anew (with a new CA to trust).
RENEW_BEFORE = timedelta(days=30)


@dataclass(frozen=True)
class Credentials:
    """The files the server needs, and the CA file a client must trust (None: the user's own)."""

    cert: Path
    key: Path
    ca: Path | None = None


def local_credentials(directory: Path) -> Credentials:
    """The CA and localhost certificate kept in ``directory``, made when missing or near their end."""
    kept = Credentials(directory / CERT_FILE, directory / KEY_FILE, directory / CA_FILE)
    if all(path.is_file() for path in (kept.cert, kept.key, kept.ca)) and not _ending(kept.cert):
        return kept
    import trustme

    now = system_now()
    authority = trustme.CA(organization_name="cesce-sandbox local CA")
    leaf = authority.issue_cert(*NAMES, organization_name="cesce-sandbox", not_before=now - timedelta(hours=1),
                                not_after=now + LIFETIME)
    directory.mkdir(parents=True, exist_ok=True)
    _write(kept.key, leaf.private_key_pem.bytes(), private=True)
    _write(kept.cert, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    _write(kept.ca, authority.cert_pem.bytes())
    return kept


def own_credentials(cert: str, key: str) -> Credentials:
    """The user's certificate (chain) and key, checked to be readable files."""
    for flag, value in (("--tls-cert", cert), ("--tls-key", key)):
        if not Path(value).is_file():
            raise ValueError(f"{flag} {value}: no such file")
    return Credentials(Path(cert), Path(key))


def default_directory(state: str) -> Path:
    """Beside the state file; for an in-memory state, this user's data directory."""
    if state != ":memory:":
        return Path(state).resolve().parent
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "cesce-emulator"


def _ending(cert: Path) -> bool:
    from cryptography import x509

    try:
        expires = x509.load_pem_x509_certificate(cert.read_bytes()).not_valid_after_utc
    except ValueError:
        return True
    return expires - system_now() < RENEW_BEFORE


def _write(path: Path, data: bytes, private: bool = False) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
