"""Broken copies of the reference client, each one change away from it, each a bug real Cesce
clients have. Run one as ``python broken_clients.py BUG`` (with the CESCE_* variables, like the
reference client), or call ``sync(config, BUG)`` from Python.

- first-page: reads the first page of a list and stops.
- float-paging: reads nextEndorsementNo as a number. A client that types its fields, or lets
  a JSON or dataframe reader infer them, holds "501" as the float 501.0 and renders it back
  as "501.0" on the next request; Cesce's nextEndorsementNo is a string of digits, so the
  second page is refused (400). (An integer reader would send "501" back and work, which is
  why the faithful rendering of the bug is the float.)
- token-per-call: asks for a new token (password grant) before every call.
- never-renews: keeps its first token for good; when Cesce refuses it as expired it tries
  again with the same one, then gives up.
- keeps-pending: keys the portfolio by debtor, the last record winning, so a debtor's pending
  300xxx request (listed after its firm record) becomes its limit.
- retries-at-once: retries a 429/503 immediately, ignoring Retry-After.
- loops: compares nextEndorsementNo with the number 0, which the string "0" never equals, so
  after the last page it asks for page "0" (the first page) again, for ever.
"""

from __future__ import annotations

import sys
from typing import Any

from contract_tests.examples.reference_client import CesceClient, debtor, main
from contract_tests.examples.reference_client import sync as reference_sync


class FirstPage(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        return None


class FloatPaging(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        following = float(page["client"]["nextEndorsementNo"])
        return None if following == 0 else str(following)


class TokenPerCall(CesceClient):
    def token(self) -> str:
        self.refresh_token = None
        self.renew()
        return self.access_token


class NeverRenews(CesceClient):
    def renew(self) -> None:
        if self.access_token is None:
            super().renew()


class KeepsPending(CesceClient):
    def current_records(self, portfolio: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list({debtor(record): record for record in portfolio}.values())


class RetriesAtOnce(CesceClient):
    def pause(self, attempt: int, retry_after: str | None) -> float:
        return 0.0


class Loops(CesceClient):
    def next_page(self, page: dict[str, Any]) -> str | None:
        following = page["client"]["nextEndorsementNo"]
        return None if following == 0 else following


BUGS: dict[str, type[CesceClient]] = {
    "first-page": FirstPage,
    "float-paging": FloatPaging,
    "token-per-call": TokenPerCall,
    "never-renews": NeverRenews,
    "keeps-pending": KeepsPending,
    "retries-at-once": RetriesAtOnce,
    "loops": Loops,
}


def sync(config: Any, bug: str) -> list[dict[str, Any]]:
    """The broken copy ``bug`` as a Python client function."""
    return reference_sync(config, BUGS[bug])


if __name__ == "__main__":
    sys.exit(main(sys.argv[2:], BUGS[sys.argv[1]]))
