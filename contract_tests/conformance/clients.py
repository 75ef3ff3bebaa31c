"""How the kit runs the client under test: a shell command (any language) or a Python function.

Both receive the same contract. A command gets environment variables and writes its records to
the file CESCE_OUTPUT names; a function gets a ``ClientConfig`` and returns its records.

=====================  ==========================  ===========================================
environment variable   ClientConfig attribute      meaning
=====================  ==========================  ===========================================
CESCE_BASE_URL         base_url                    catalog base, e.g. http://127.0.0.1:8080/dev
CESCE_TOKEN_URL        token_url                   {base_url}/oauth2/v1/token
CESCE_CLIENT_ID        client_id                   a new client id (tenant) per scenario
CESCE_CLIENT_SECRET    client_secret
CESCE_USERNAME         username
CESCE_PASSWORD         password
CESCE_CONTRACT_NO      contract_no
CESCE_TASK             task                        the task's name (portfolio-sync, ...)
CESCE_OUTPUT           previous (read) / return    the records the client believes current
CESCE_INPUT            input                       what the task gives the client, for a task
                                                   that takes input (a JSON list)
=====================  ==========================  ===========================================

For a task that starts from records (movements-sync), CESCE_OUTPUT already holds the records the
client had before (and ``ClientConfig.previous`` the same list): the client merges into them.
Between two runs of one scenario the file is left as the client wrote it, as a deployed
client's own store would be. A run that ends in error must leave it as it was.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: How many lines of a client's output a report quotes.
TAIL_LINES = 8
#: How much of a client's output the kit reads to find the line that says what failed.
OUTPUT_READ = 1 << 20
#: A line that says something failed, in any language's words.
_FAILED = re.compile(r"\b(error|errors|failed|failure|fatal|exception|refused|denied|cannot|can't|unable|panic"
                     r"|invalid|answered [1-5][0-9]{2}|status [1-5][0-9]{2})\b", re.IGNORECASE)


@dataclass(frozen=True)
class ClientConfig:
    """What a client is configured with: the same values a command gets as CESCE_* variables.
    ``previous`` is the list of records the client had before this run (for a movements sync
    the records to merge the movements into), ``input`` what the task gives it (None for a
    task without input); a function client returns the new list."""

    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    username: str
    password: str
    contract_no: str
    task: str
    previous: list[dict[str, Any]] | None = None
    input: list[dict[str, Any]] | None = None

    def environment(self, output: Path, given: Path | None = None) -> dict[str, str]:
        """The CESCE_* variables of a command client (CESCE_INPUT when the task gives input)."""
        return {**({"CESCE_INPUT": str(given)} if given is not None else {}),
            "CESCE_BASE_URL": self.base_url,
            "CESCE_TOKEN_URL": self.token_url,
            "CESCE_CLIENT_ID": self.client_id,
            "CESCE_CLIENT_SECRET": self.client_secret,
            "CESCE_USERNAME": self.username,
            "CESCE_PASSWORD": self.password,
            "CESCE_CONTRACT_NO": self.contract_no,
            "CESCE_TASK": self.task,
            "CESCE_OUTPUT": str(output),
        }


@dataclass
class RunOutcome:
    """How one run of the client ended: its exit code (0 for a function that returned, 1 for
    one that raised), whether the kit stopped it and why, the end of its output and the line
    that says what failed, and the records it left (or why they could not be read; on a
    failed run, whether it rewrote CESCE_OUTPUT all the same)."""

    exit_code: int | None = None
    #: Why the kit stopped the client, and the verdict that gives ("TIMEOUT" or "LOOP").
    stopped: str | None = None
    verdict: str | None = None
    stdout_tail: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    records: list[Any] | None = None
    output_error: str | None = None
    output_changed: bool = False
    error_line: str | None = None
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        return self.stopped is None and self.exit_code == 0


class Launch:
    """A client run in progress."""

    def done(self) -> bool:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def outcome(self) -> RunOutcome:
        raise NotImplementedError


class Client:
    """Something the kit can run against a tenant."""

    #: How a report names it.
    label: str = "client"

    def prepare(self, workdir: Path, previous: list[dict[str, Any]] | None,
                given: list[dict[str, Any]] | None = None) -> None:
        """Before a scenario's first run: put the records the client starts from, and what the
        task gives it, in place."""

    def start(self, config: ClientConfig, workdir: Path) -> Launch:
        raise NotImplementedError


class CommandClient(Client):
    """A shell command, run from the current directory in a new process group with the
    CESCE_* variables added to the environment."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.label = command

    def prepare(self, workdir: Path, previous: list[dict[str, Any]] | None,
                given: list[dict[str, Any]] | None = None) -> None:
        for path, records in ((workdir / "output.json", previous), (workdir / "input.json", given)):
            if records is None:
                path.unlink(missing_ok=True)
            else:
                path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")

    def start(self, config: ClientConfig, workdir: Path) -> Launch:
        return _Process(self.command, config, workdir)


class _Process(Launch):
    def __init__(self, command: str, config: ClientConfig, workdir: Path) -> None:
        self.output = workdir / "output.json"
        self.stdout_path, self.stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
        self.kept = _content(self.output)
        given = workdir / "input.json" if config.input is not None else None
        env = {**os.environ, **config.environment(self.output, given)}
        self.began = time.monotonic()
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # A session of its own, so stopping the client also stops what its shell started.
            self.process = subprocess.Popen(command, shell=True, env=env, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err, start_new_session=True)
        self.stopped: str | None = None

    def done(self) -> bool:
        return self.process.poll() is not None

    def stop(self) -> None:
        if self.done():
            return
        for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def outcome(self) -> RunOutcome:
        code = self.process.wait()
        stdout, stderr = _lines(self.stdout_path), _lines(self.stderr_path)
        result = RunOutcome(exit_code=code, seconds=time.monotonic() - self.began, stdout_tail=stdout[-TAIL_LINES:],
                            stderr_tail=stderr[-TAIL_LINES:])
        if code == 0:
            result.records, result.output_error = read_output(self.output)
        else:
            result.error_line = error_line(stderr, stdout)
            result.output_changed = _content(self.output) != self.kept
        return result


def read_output(path: Path) -> tuple[list[Any] | None, str | None]:
    """The records a command client wrote, or why they cannot be read."""
    if not path.exists():
        return None, "exited 0 without writing the file CESCE_OUTPUT names"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return None, f"CESCE_OUTPUT is not JSON: {error}"
    if not isinstance(data, list):
        return None, f"CESCE_OUTPUT holds a JSON {type(data).__name__}; write a list of debtor records"
    return data, None


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _lines(path: Path) -> list[str]:
    """The non-blank lines of a client's output, from its first OUTPUT_READ bytes and its last."""
    try:
        with open(path, "rb") as file:
            head = file.read(OUTPUT_READ)
            file.seek(0, os.SEEK_END)
            tail = b""
            if file.tell() > 2 * OUTPUT_READ:
                file.seek(-OUTPUT_READ, os.SEEK_END)
                tail = file.read()
    except OSError:
        return []
    text = head.decode("utf-8", "replace") + ("\n" + tail.decode("utf-8", "replace") if tail else "")
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def error_line(stderr: list[str], stdout: list[str] = ()) -> str | None:
    """The line of a failed run's output that says what failed: the exception of the last
    Python traceback, else the first line of stderr in failure's words ("error", "failed",
    "refused", "answered 500"...), else stderr's last line, else stdout's."""
    starts = [i for i, line in enumerate(stderr) if line.startswith("Traceback (most recent call last)")]
    if starts:
        raised = [line for line in stderr[starts[-1] + 1:] if not line[:1].isspace()]
        if raised:
            return raised[0].strip()
    worded = next((line for line in stderr if _FAILED.search(line)), None)
    last = stderr[-1] if stderr else (stdout[-1] if stdout else None)
    return (worded or last or "").strip() or None


ClientFunction = Callable[[ClientConfig], Any]


class FunctionClient(Client):
    """A Python function ``client(config: ClientConfig) -> list[dict]`` run in a thread of this
    process. A function cannot be killed: when one hangs the kit reports it and leaves the
    thread behind (a daemon thread, gone when the process exits)."""

    def __init__(self, function: ClientFunction) -> None:
        self.function = function
        self.label = getattr(function, "__qualname__", repr(function))
        module = getattr(function, "__module__", None)
        if module:
            self.label = f"{module}.{self.label}"

    def start(self, config: ClientConfig, workdir: Path) -> Launch:
        return _Thread(self.function, config)


class _Thread(Launch):
    def __init__(self, function: ClientFunction, config: ClientConfig) -> None:
        self.result: RunOutcome | None = None
        self.began = time.monotonic()
        # Its own copy of the records, so what the function does to them cannot alter the kit's.
        config = replace(config, previous=copy.deepcopy(config.previous))
        self.thread = threading.Thread(target=self._run, args=(function, config), daemon=True,
                                       name=f"cesce-client-{config.client_id}")
        self.thread.start()

    def _run(self, function: ClientFunction, config: ClientConfig) -> None:
        try:
            records = function(config)
        except BaseException:  # noqa: BLE001 (whatever the client raises is its crash to report)
            lines = [line for line in traceback.format_exc().splitlines() if line.strip()]
            self.result = RunOutcome(exit_code=1, stderr_tail=lines[-TAIL_LINES:], error_line=error_line(lines))
            return
        outcome = RunOutcome(exit_code=0)
        if isinstance(records, list):
            outcome.records = records
        else:
            outcome.output_error = f"returned a {type(records).__name__}; return a list of debtor records"
        self.result = outcome

    def done(self) -> bool:
        return not self.thread.is_alive()

    def stop(self) -> None:
        pass  # a thread cannot be stopped; see FunctionClient

    def outcome(self) -> RunOutcome:
        result = self.result or RunOutcome(exit_code=None)
        result.seconds = time.monotonic() - self.began
        return result
