"""Settings: defaults, overridden by CESCE_EMULATOR_* variables, overridden by CLI flags."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields

PREFIX = "CESCE_EMULATOR_"
DURABILITY = {"process": "NORMAL", "power": "FULL"}


class SettingError(ValueError):
    """A setting whose value cannot be used, named by its ``source`` (the flag or variable
    that gave it) or, for a Settings made in Python, by its field."""

    def __init__(self, name: str, problem: str, source: str | None = None) -> None:
        super().__init__(f"{source or name}: {problem}")
        self.name, self.problem, self.source = name, problem, source


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    #: SQLite database: a file path keeps state across restarts; ":memory:" does not.
    state: str = ":memory:"
    #: Refuse non-canonical requests with 400 instead of accepting them with a journal warning.
    strict: bool = False
    #: Records per page of every list; None: as each operation declares (500, Cesce's production).
    page_size: int | None = None
    #: Replacement for the bundled Sandbox Model (mocks/) and scenarios (fixtures/).
    mocks_dir: str | None = None
    fixtures_dir: str | None = None
    #: Literal sandbox replay cases (e.g. imported from a Postman collection), checked first.
    replay_dir: str | None = None
    #: Request threads of the server behind `serve`: the requests it runs at once (one waiting
    #: out an injected latency holds one).
    threads: int = 200
    #: Seconds a connection may send nothing while the server waits for its request (or its TLS
    #: handshake) before it is closed: a stalled client holds a thread for this long at most.
    stall_timeout: int = 10
    #: What an acknowledged write survives: "process" (a crash or kill of the emulator; SQLite
    #: WAL with synchronous=NORMAL) or "power" (also a power loss or OS crash; an fsync per
    #: commit, synchronous=FULL).
    durability: str = "process"
    #: Journal entries each tenant keeps, about: the oldest go as new ones come, so a
    #: long-running shared emulator's state does not grow without limit.
    journal_limit: int = 100_000
    #: Serve HTTPS: with a local CA and a certificate for localhost kept in ``tls_dir``, or with
    #: the user's own ``tls_cert`` and ``tls_key``.
    tls: bool = False
    tls_dir: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    #: A bearer token every operator call (/_emulator, health aside) must carry: for an
    #: emulator other hosts reach, as a container on a shared network.
    admin_token: str | None = None
    #: Host names the operator surface answers to besides local ones and ``host``: exact names,
    #: ".example" for a domain and its subdomains, "*" for any (comma-separated in a variable).
    allowed_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_hosts", tuple(_names(self.allowed_hosts)))
        for name, low, high in (("port", 0, 65535), ("page_size", 1, 100_000), ("threads", 1, 1024),
                                ("stall_timeout", 1, 3600), ("journal_limit", 10, 10**9)):
            if getattr(self, name) is not None and not low <= getattr(self, name) <= high:
                raise SettingError(name, f"{getattr(self, name)} is not between {low} and {high}")
        if self.durability not in DURABILITY:
            raise SettingError("durability", f"{self.durability!r} is not one of {', '.join(DURABILITY)}")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise SettingError("tls_cert", "a certificate and its key go together: give both, or neither")

    @property
    def synchronous(self) -> str:
        """SQLite's synchronous setting for the durability asked for."""
        return DURABILITY[self.durability]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Read CESCE_EMULATOR_* variables (and PORT, as container platforms set it); keyword
        arguments that are not None (the command line's flags) win over both. A value that
        cannot be used is a SettingError naming where it came from: ``--port`` for a flag,
        ``CESCE_EMULATOR_PORT`` or ``PORT`` for a variable."""
        environ = os.environ if environ is None else environ
        values, sources = {}, {}
        if "PORT" in environ:
            values["port"], sources["port"] = environ["PORT"], "PORT"
        for field in fields(cls):
            raw = environ.get(PREFIX + field.name.upper())
            if raw is not None:
                values[field.name], sources[field.name] = raw, PREFIX + field.name.upper()
        for name, value in overrides.items():
            if value is not None:
                values[name], sources[name] = value, "--" + name.replace("_", "-")
        try:
            return cls(**{name: _coerce(cls, name, value) for name, value in values.items()})
        except SettingError as error:
            raise SettingError(error.name, error.problem, sources.get(error.name)) from None

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(cls, name: str, value):
    kind = {f.name: f.type for f in fields(cls)}[name]
    if not isinstance(value, str):
        return value
    if kind == "bool":
        if value.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if value.strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise SettingError(name, f"expected true or false, got {value!r}")
    if kind in ("int", "int | None"):
        try:
            return int(value)
        except ValueError:
            raise SettingError(name, f"expected an integer, got {value!r}") from None
    return value


def _names(names: str | tuple[str, ...]) -> list[str]:
    """Host names compared as DNS compares them, from a tuple or a comma-separated string."""
    if isinstance(names, str):
        names = tuple(names.split(","))
    return [name.strip().lower() for name in names if name.strip()]
