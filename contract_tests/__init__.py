"""cesce-sandbox's contract-test kit: is a Cesce client, or a Cesce-compatible server, right?

- ``verify(client, task=...)``: run a client (a function or a command) under scenarios made to
  break clients and judge its records and its traffic (``cesce-contract verify-client``).
- ``strategies``: hypothesis strategies for every request of the emulated API, valid and
  invalid, for debtors, portfolios and Cesce-side events.
- ``checks``: schemathesis checks of Cesce's wire format (``cesce-contract check-server``).

Names load on first use, so that importing the kit's pytest plugin (which pytest does in every
run of an environment where the kit is installed) imports neither hypothesis nor schemathesis.
"""

from importlib import import_module

_NAMES = {
    # Client conformance
    "verify": "contract_tests.conformance",
    "ClientConfig": "contract_tests.conformance",
    "ConformanceFailure": "contract_tests.conformance",
    "KitUsageError": "contract_tests.conformance",
    "Report": "contract_tests.conformance",
    "Scenario": "contract_tests.conformance",
    # Modules
    "checks": None,
    "strategies": None,
    "conformance": None,
}

__all__ = list(_NAMES)


def __getattr__(name: str):
    if name not in _NAMES:
        raise AttributeError(name)
    if _NAMES[name] is None:
        return import_module(f"contract_tests.{name}")
    return getattr(import_module(_NAMES[name]), name)
