"""What a typed production client does (the .NET client Cesce integrators write): get a token,
page through movements until nextEndorsementNo is "0", and read every value as a string; a JSON
number anywhere it expects a string would make its deserializer throw."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import get_type_hints

import pytest

from emulator.control import Control
from emulator.server import ThreadedServer


@dataclass
class Error:
    errorCode: str
    errorDescription: str


@dataclass
class Client:
    contractNo: str
    nextEndorsementNo: str


@dataclass
class Debtor:
    countryCode: str
    taxCode: str
    endorsementNo: str
    customerReference: str
    companyName: str
    creditLimitRequested: str
    currencyCode: str
    creditLimitGranted: str
    classificationDecisionCode: str
    statusCode: str
    requestEntryDate: str
    effectiveDate: str
    cancellationDate: str
    classificationDate: str


@dataclass
class Movements:
    error: Error
    client: Client
    debtor: list[Debtor] | None


@dataclass
class Token:
    token_type: str
    access_token: str
    expires_in: int
    consented_on: int
    scope: str
    refresh_token: str
    refresh_token_expires_in: int


def decode(cls, value):
    """Strict, as System.Text.Json without number handling: a type mismatch throws."""
    hints = get_type_hints(cls)
    out = {}
    for field in fields(cls):
        kind, item = hints[field.name], value[field.name]
        if kind in (str, int):
            if type(item) is not kind:
                raise TypeError(f"{cls.__name__}.{field.name}: expected {kind.__name__}, got {item!r}")
            out[field.name] = item
        elif kind == list[Debtor] | None:
            out[field.name] = None if item is None else [decode(Debtor, d) for d in item]
        else:
            out[field.name] = decode(kind, item)
    return cls(**out)


def get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def emulator():
    with ThreadedServer() as server:
        yield server


def test_a_typed_client_syncs_1201_movements_page_by_page(emulator):
    tenant = Control(emulator.url, "typed-client")
    tenant.seed("portfolio-1201")
    form = urllib.parse.urlencode({"grant_type": "password", "client_id": "typed-client", "client_secret": "s",
                                   "scope": "read create update delete", "username": "u", "password": "p"}).encode()
    with urllib.request.urlopen(tenant.token_url, data=form) as response:
        token = decode(Token, json.load(response))
    assert token.expires_in == 3600

    seen, pages, next_no = [], [], None
    while True:
        query = {"languageCode": "ES", **({"nextEndorsementNo": next_no} if next_no else {})}
        url = f"{tenant.base_url}/portfolio-movements/v1/contracts/20000000002/movements?{urllib.parse.urlencode(query)}"
        page = decode(Movements, get(url, token.access_token))
        assert page.error.errorCode == "0"
        pages.append(len(page.debtor or []))
        seen += page.debtor or []
        next_no = page.client.nextEndorsementNo
        if next_no == "0":
            break

    assert pages == [500, 500, 201]
    assert len({d.endorsementNo for d in seen}) == 1201
    assert {Decimal(d.creditLimitGranted.replace(",", ".")) for d in seen} == {Decimal("15000.00")}
    assert all(len(d.effectiveDate) == 8 and d.cancellationDate == "0" for d in seen)


def test_the_decoder_would_catch_a_number(emulator):
    with pytest.raises(TypeError, match="expected str"):
        decode(Error, {"errorCode": 0, "errorDescription": ""})
