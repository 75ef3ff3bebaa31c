"""Client conformance: does YOUR client use the Cesce API correctly?

``verify(client, task=...)`` seeds a fresh emulator tenant per scenario, runs the client
(a shell command or a Python function), and judges what it sent (the emulator's journal) and
what it concluded (the records it returns) against the emulator's truth::

    from contract_tests.conformance import verify

    def sync(config):            # config: ClientConfig (base_url, token_url, client_id, ...)
        ...
        return records           # the debtor records the client now believes current

    verify(sync, task="portfolio-sync")   # raises ConformanceFailure with the report table

Modules: ``tasks`` (what a client can be asked to do, one declaration per task),
``scenarios`` (the recipes, the named ones and their hypothesis strategy), ``seeding`` (what
the emulator is told), ``clients`` (how a client is run and what it gets), ``runner`` (one
scenario end to end), ``truth`` (how records compare), ``judge`` and ``traffic`` (the
findings, from ``evidence``), ``search`` (generated scenarios and shrinking), ``report``
(verdicts and reproduction), ``verification`` (``verify``).
"""

from contract_tests.conformance.clients import ClientConfig
from contract_tests.conformance.errors import ConformanceFailure, KitUsageError
from contract_tests.conformance.report import Report, ScenarioResult
from contract_tests.conformance.scenarios import Fault, Scenario, catalogue
from contract_tests.conformance.tasks import Task, tasks
from contract_tests.conformance.verification import verify

#: Every task by name.
TASKS = tasks()

__all__ = ["TASKS", "ClientConfig", "ConformanceFailure", "Fault", "KitUsageError", "Report", "Scenario",
           "ScenarioResult", "Task", "catalogue", "verify"]
