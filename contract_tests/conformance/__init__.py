"""Client conformance: does YOUR client use the Cesce API correctly?

``verify(client, task=...)`` seeds a fresh emulator tenant per scenario, runs the client
(a shell command or a Python function), and judges what it sent (the emulator's journal) and
what it concluded (the records it returns) against the emulator's truth::

    from contract_tests.conformance import verify

    def sync(config):            # config: ClientConfig (base_url, token_url, client_id, ...)
        ...
        return records           # the debtor records the client now believes current

    verify(sync, task="portfolio-sync")   # raises ConformanceFailure with the report table

Modules: ``scenarios`` (the recipes and their hypothesis strategy), ``seeding`` (what the
emulator is told), ``clients`` (how a client is run and what it gets), ``runner`` (one
scenario end to end), ``truth`` (what the client should hold), ``judge`` (the findings),
``search`` (generated scenarios and shrinking), ``report`` (verdicts and reproduction),
``verification`` (``verify``).
"""

from contract_tests.conformance.clients import ClientConfig
from contract_tests.conformance.errors import ConformanceFailure, KitUsageError
from contract_tests.conformance.report import Report, ScenarioResult
from contract_tests.conformance.scenarios import TASKS, Fault, Scenario, catalogue
from contract_tests.conformance.verification import verify

__all__ = ["TASKS", "ClientConfig", "ConformanceFailure", "Fault", "KitUsageError", "Report", "Scenario",
           "ScenarioResult", "catalogue", "verify"]
