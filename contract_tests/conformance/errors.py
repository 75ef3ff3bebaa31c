"""The kit's two kinds of failure, kept apart: a usage error (the verification could not run as
asked) and a conformance failure (it ran, and the client did something wrong)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract_tests.conformance.report import Report


class KitUsageError(ValueError):
    """The verification cannot run as asked: an unknown task or scenario, an unreadable
    scenario file, no emulator at the URL given. Nothing was judged."""


class ConformanceFailure(AssertionError):
    """The client failed at least one scenario; ``report`` holds every verdict, and the
    message is the report's table."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.render())
        self.report = report
