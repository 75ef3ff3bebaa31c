"""The claims routes, spoken to as a client does, for one tenant (see tests/conftest.py's Api)."""

from __future__ import annotations

from typing import Any

import pytest

#: The Sandbox Model's claims contract (mocks/README.md, "Claims"): dossiers 1 to 7 at each
#: milestone; sale 8000009 of debtor 807 (limit 30000,00) matured unpaid, with no claim yet.
CLAIMS = "10600000008"
FREE_SALE = "8000009"
#: A fresh tenant's world starts here (frozen): sale 8000009 matured on 2026-02-20.
START = "2026-03-02T09:00:00Z"


def error_of(answer) -> tuple[int, str]:
    return answer.status_code, answer.json["error"]["errorCode"]


def multipart(fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type. (The test client's own encoder spools a
    large body to a temporary file it never closes.)"""
    boundary = "claims-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
              f"Content-Type: {kind}\r\n\r\n".encode() + data + b"\r\n" for name, (file_name, kind, data) in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Claims:
    def __init__(self, api) -> None:
        self.api = api

    def at(self, instant: str = START) -> None:
        """Put a fresh tenant's clock at ``instant``, frozen (its world starts there)."""
        self.api.operator("POST", "clock", {"set": instant, "freeze": True})
        self.api._token = None

    def declare(self, amount: str, dossier: str = "0", contract: str = CLAIMS, **sale: str) -> Any:
        sale = sale or {"saleCesceReferenceNo": FREE_SALE}
        return self.api.post(f"claims/v1/contracts/{contract}/dossiers/{dossier}/non-payments",
                             {"nonPayment": {**sale, "unpaidAmount": amount}})

    def opened(self, amount: str = "15000,00", contract: str = CLAIMS, **sale: str) -> str:
        """Declare, and the dossier's number."""
        answer = self.declare(amount, contract=contract, **sale)
        assert answer.status_code == 201, answer.json
        return answer.json["client"]["dossierNo"]

    def get(self, path: str, contract: str = CLAIMS, **query: str) -> Any:
        answer = self.api.get(f"claims/v1/contracts/{contract}/{path}", **query)
        assert answer.status_code == 200, answer.json
        return answer.json

    def dossier(self, number: str) -> dict:
        return self.get(f"dossiers/{number}")["dossier"]

    def documents(self, number: str, **query: str) -> list[dict]:
        return self.get("documents", dossierNo=number, **query)["document"] or []

    def settlements(self, number: str) -> list[dict]:
        return self.get("settlements", dossierNo=number)["settlement"] or []

    def upload(self, dossier: str, document: str, data: bytes = b"%PDF-1.4 a scanned invoice", name: str = "f.pdf",
               contract: str = CLAIMS) -> Any:
        return self.send(dossier, {"documentNo": document}, {"file": (name, "application/pdf", data)}, contract)

    def send(self, dossier: str, fields: dict[str, str], files: dict[str, tuple[str, str, bytes]],
             contract: str = CLAIMS) -> Any:
        """POST documents with this multipart/form-data body."""
        body, content_type = multipart(fields, files)
        return self.api.client.post(f"/{self.api.catalog}/claims/v1/contracts/{contract}/dossiers/{dossier}/documents",
                                    data=body, content_type=content_type,
                                    headers={"Authorization": f"Bearer {self.api.bearer}"})

    def upload_all(self, dossier: str) -> None:
        for document in self.documents(dossier):
            answer = self.upload(dossier, document["documentNo"])
            assert answer.status_code == 201, answer.json

    def event(self, kind: str, **fields: str) -> Any:
        return self.api.client.post("/_emulator/events", json={"type": kind, "contractNo": CLAIMS, **fields},
                                    query_string={"client_id": self.api.tenant})

    def advance(self, duration: str) -> None:
        self.api.advance(duration)


@pytest.fixture
def claims(api) -> Claims:
    found = Claims(api)
    found.at()
    return found


@pytest.fixture
def sandbox_claims(sandbox) -> Claims:
    return Claims(sandbox)
