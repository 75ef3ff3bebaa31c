"""`cesce-emulator serve --tls`: a client that trusts only the CA file the emulator prints reaches
it over HTTPS; the CA is kept and reused on restart; --tls-cert/--tls-key serve the user's own."""

from __future__ import annotations

import json
import re
import ssl
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import trustme


def printed_ca(log: str) -> str:
    return re.search(r"have clients trust the CA (\S+)", log).group(1)


def fetch(url: str, context: ssl.SSLContext, data: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None,
                                     headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        return json.loads(answer.read())


def token_and_read(url: str, context: ssl.SSLContext) -> str:
    token = fetch(f"{url}/dev/oauth2/v1/token", context, {
        "grant_type": "password", "client_id": "erp", "client_secret": "secret", "username": "u", "password": "p"})
    debtor = fetch(f"{url}/dev/classifications/v1/contracts/10100000001/classifications?endorsementNo=101", context,
                   token=token["access_token"])["debtor"]
    return debtor["endorsementNo"]


def test_a_client_trusting_only_the_printed_ca_reaches_serve_tls(tmp_path, serve_emulator):
    served = serve_emulator("--tls", "--tls-dir", str(tmp_path / "tls"), https=True)
    ca = printed_ca(served.log.read_text())
    trusting = ssl.create_default_context(cafile=ca)

    assert token_and_read(served.url, trusting) == "101"
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(served.url + "/_emulator/health", ssl.create_default_context())  # the system's CAs alone
    first = Path(ca).read_bytes()
    assert served.stop() == 0

    served = serve_emulator("--tls", "--tls-dir", str(tmp_path / "tls"), https=True)
    assert printed_ca(served.log.read_text()) == ca and Path(ca).read_bytes() == first
    assert token_and_read(served.url, trusting) == "101"


def test_tls_keeps_its_files_beside_the_state_file_by_default(tmp_path, serve_emulator):
    served = serve_emulator("--tls", "--state", str(tmp_path / "cesce.sqlite3"), https=True)
    assert printed_ca(served.log.read_text()) == str(tmp_path / "cesce-ca.pem")
    assert oct((tmp_path / "cesce-localhost-key.pem").stat().st_mode & 0o777) == "0o600"


def test_serve_uses_your_own_certificate_and_key(tmp_path, serve_emulator):
    authority = trustme.CA()
    issued = authority.issue_cert("localhost")
    issued.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    issued.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    served = serve_emulator(env={"CESCE_EMULATOR_TLS_CERT": str(tmp_path / "cert.pem"),
                                 "CESCE_EMULATOR_TLS_KEY": str(tmp_path / "key.pem")}, https=True)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)

    assert token_and_read(served.url, trusting) == "101"
    assert "trust the CA" not in served.log.read_text()


def test_a_missing_certificate_file_fails_at_start(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--tls-cert", str(tmp_path / "no.pem"),
                           "--tls-key", str(tmp_path / "no-key.pem")], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "--tls-cert" in done.stderr and "no such file" in done.stderr


def test_clients_stalled_in_the_tls_handshake_hold_up_no_one(tmp_path, serve_emulator):
    import socket
    import time

    served = serve_emulator("--tls", "--tls-dir", str(tmp_path), https=True)
    trusting = ssl.create_default_context(cafile=printed_ca(served.log.read_text()))
    stalled = []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", served.port))
        sock.sendall(b"\x16\x03\x01\x02\x00\x01")  # the start of a ClientHello, and no more
        stalled.append(sock)
    try:
        time.sleep(0.2)
        start = time.monotonic()
        assert fetch(served.url + "/_emulator/health", trusting)["status"] == "ok"
        assert time.monotonic() - start < 1
    finally:
        for sock in stalled:
            sock.close()
