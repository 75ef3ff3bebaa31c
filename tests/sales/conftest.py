"""The sales routes, spoken to as a client does, for one tenant (see tests/conftest.py's Api)."""

from __future__ import annotations

from typing import Any

import pytest

STANDARD = "10100000001"


class Sales:
    def __init__(self, api) -> None:
        self.api = api

    def at(self, instant: str) -> None:
        """Put a fresh tenant's clock at ``instant``, frozen (its world starts there)."""
        self.api.operator("POST", "clock", {"set": instant, "freeze": True})
        self.api._token = None

    def declare(self, contract: str = STANDARD, **sale: str) -> Any:
        """POST sales: an invoice F-1 of 1000,00 dated 2026-01-10, due 2026-03-11, unless ``sale`` says otherwise."""
        body = {"sale": {"invoiceNo": "F-1", "invoiceDate": "20260110", "maturityDate": "20260311",
                         "currencyAmount": "1000,00", **sale}}
        return self.api.post(f"sales/v1/contracts/{contract}/sales", body)

    def modify(self, contract: str, sale: dict, **modification: str) -> Any:
        return self.api.post(f"sales/v1/contracts/{contract}/sale", {"sale": sale, "modification": modification})

    def sale(self, contract: str = STANDARD, **query: str) -> Any:
        return self.api.get(f"sales/v1/contracts/{contract}/sale", **query)

    def list(self, contract: str = STANDARD, **query: str) -> Any:
        return self.api.get(f"sales/v1/contracts/{contract}/sales", **query)

    def every(self, contract: str = STANDARD, **query: str) -> list[list[dict]]:
        """Every page of the list, following initialValue until it comes back empty."""
        pages, start = [], None
        while True:
            answer = self.list(contract, **query, **({"initialValue": start} if start else {}))
            assert answer.status_code == 200, answer.json
            pages.append(answer.json["sale"] or [])
            start = answer.json["client"]["initialValue"]
            if start == "":
                return pages

    def refs(self, contract: str = STANDARD, **query: str) -> list[str]:
        return [sale["saleCesceReferenceNo"] for page in self.every(contract, **query) for sale in page]

    def subsidiaries(self, contract: str) -> Any:
        return self.api.get(f"sales/v1/contracts/{contract}/subsidiaries")

    def extend(self, contract: str, sale: dict, maturity_date: str, maturity_amount: str) -> Any:
        return self.api.post(f"extensions/v1/contracts/{contract}/extensions",
                             {"sale": sale, "extension": {"maturityDate": maturity_date, "maturityAmount": maturity_amount}})

    def collect(self, contract: str, sale: dict, date: str, amount: str) -> Any:
        return self.api.post(f"collections/v1/contracts/{contract}/collections",
                             {"client": {}, "sale": sale, "collectionDate": date, "collectionAmount": amount})

    def event(self, kind: str, **fields: str) -> Any:
        return self.api.client.post("/_emulator/events", json={"type": kind, **fields},
                                    query_string={"client_id": self.api.tenant})


@pytest.fixture
def sales(api) -> Sales:
    return Sales(api)


@pytest.fixture
def sandbox_sales(sandbox) -> Sales:
    return Sales(sandbox)

