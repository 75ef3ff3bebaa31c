"""The Sandbox Model: the data in mocks/ (or a user's copy of it), loaded and checked once.

Cesce publishes no mock data, so ours is invented and documented in mocks/README.md. The core
reads the product map, the policies, the contracts and the error texts; each registered area
reads its own files and code tables and adds its keys to contract and policy documents (its
``ModelPart``). Every file is checked against its JSON Schema and the files against each other,
so a bad edit fails at start-up with the file and the place, never at request time.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from emulator import memo, resources
from emulator.areas import Area, Areas, discover
from emulator.clock import parse_instant
from emulator.errors import all_errors
from emulator.files import FileError

_SCHEMA = resources.PACKAGE_DIR / "schemas" / "sandbox-model.yaml"
_CONTRACT_KEYS = ("contractNo", "policy", "description")
_POLICY_KEYS = ("description", "modality")


class ModelError(FileError):
    """A file of the Sandbox Model, or a scenario, is not valid."""


def validate(document: Any, definition: str, source: str, schema_file: Path = _SCHEMA, at: str = "") -> Any:
    """``document`` if it matches ``definition`` of the schema file; ModelError naming the place
    otherwise (``at``: where the document sits in its file, "contracts/0")."""
    schema = {**resources.load_yaml(schema_file), "$ref": f"#/$defs/{definition}"}
    return check_against(document, schema, source, at)


def check_against(document: Any, schema: dict, source: str, at: str = "") -> Any:
    """``document`` if it matches ``schema`` (a JSON Schema given as data); ModelError naming
    the place otherwise (after ``source``, when one is given)."""
    problem = schema_problem(document, schema)
    if problem is not None:
        where = "/".join(filter(None, [at, problem[0]])) or "(top)"
        raise ModelError(f"{source + ': ' if source else ''}at {where}: {problem[1]}")
    return document


def schema_problem(document: Any, schema: dict) -> tuple[str, str] | None:
    """Where in ``document`` ("contracts/0/policy", "" for the whole) it first fails
    ``schema`` (a JSON Schema given as data), and why; None when it matches."""
    import jsonschema  # here: a start-up that finds its files already checked never needs it (emulator.memo)

    try:
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    except RecursionError:
        return "", "nested too deeply"
    if error is None:
        return None
    message = error.message if len(error.message) <= 300 else error.message[:300] + "…"  # it shows the value
    return "/".join(str(part) for part in error.absolute_path), message


class CodeTable(dict[str, dict]):
    """A code table of mocks/codes/: entries ({code, ES, EN}) by key."""

    def __init__(self, entries: dict[str, dict]) -> None:
        super().__init__(entries)
        self._keys = {entry["code"]: key for key, entry in entries.items()}

    def code(self, key: str) -> str:
        return self[key]["code"]

    def key(self, code: str) -> str:
        return self._keys[code]


class SandboxModel:
    @classmethod
    def shared(cls, directory: str | Path | None = None, areas: Areas | None = None) -> SandboxModel:
        """The Sandbox Model of ``directory`` for ``areas``, loaded and checked once per process:
        apps made with the same ones (the pytest plugin and this project's tests make many)
        share it, as they share the files it reads (resources.load_yaml)."""
        return _shared(str(resources.mocks_dir(directory).resolve()), discover() if areas is None else areas)

    def __init__(self, directory: str | Path | None = None, areas: Areas | None = None) -> None:
        self.directory = resources.mocks_dir(directory)
        self.areas = discover() if areas is None else areas
        # The files' schema checks passed once for these very bytes: they pass again, so they
        # are skipped (the cross-file checks, plain Python, always run).
        schemas = [_SCHEMA, *(area.model.schema for area in self.areas.values() if area.model)]
        checked = memo.key("sandbox-model", [*memo.files_under(self.directory), *schemas], _jsonschema_version())
        self._checked = memo.recall(checked) is True
        self.products: dict[str, str] = self._load("products.yaml", "products")
        self.errors: dict[str, dict] = self._load("codes/errors.yaml", "errorTable")
        self.codes: dict[str, CodeTable] = {}
        self.data: dict[str, Any] = {}
        for area in self.areas.values():
            if area.model is not None:
                self._load_area(area)
        policies = self._load("policies.yaml", "policies")
        for name, policy in policies["policies"].items():
            self._check_parts(policy, "policy", _POLICY_KEYS, str(self.directory / "policies.yaml"), f"policies/{name}",
                              self._checked)
        self.policies: dict[str, dict] = policies["policies"]
        self.default_policy: str = policies["default"]
        world = self._load("contracts.yaml", "contracts")
        self.sandbox_now = parse_instant(world["sandboxNow"])
        self.contracts: dict[str, dict] = {c["contractNo"]: c for c in world["contracts"]}
        self._check()
        if not self._checked:
            memo.keep(checked, True)

    def _load(self, name: str, definition: str, schema_file: Path = _SCHEMA) -> Any:
        path = self.directory / name
        if not path.is_file():
            raise ModelError(f"{path}: missing")
        document = resources.load_yaml(path)
        return document if self._checked else validate(document, definition, str(path), schema_file)

    def _load_area(self, area: Area) -> None:
        part = area.model
        files = {name: self._load(file, name, part.schema) for name, file in part.files.items()}
        for table in part.codes:
            self.codes[table] = CodeTable(self._load(f"codes/{table}.yaml", "codeTable"))
        if part.prepare is not None:
            self.data[area.name] = part.prepare(self, files)

    def _check(self) -> None:
        missing = {e.key for e in all_errors()} - set(self.errors)
        if missing:
            raise ModelError(f"{self.directory / 'codes/errors.yaml'}: no text for {sorted(missing)}")
        if self.default_policy not in self.policies:
            raise ModelError(f"{self.directory / 'policies.yaml'}: default policy {self.default_policy!r} is not defined")
        self.check_contracts(list(self.contracts.values()), str(self.directory / "contracts.yaml"), self._checked)

    def check_contracts(self, contracts: Iterable[dict], source: str, checked: bool = False) -> None:
        """What a world document must keep beyond its schema: each area's keys valid for it,
        known policies, and each area's cross-file rules (known statuses, decisions...).
        ``checked``: the areas' schemas passed on these documents already, only the rest runs."""
        for index, contract in enumerate(contracts):
            self._check_parts(contract, "contract", _CONTRACT_KEYS, source, f"contracts/{index}", checked)
            where = f"{source}: contract {contract['contractNo']}"
            if contract.get("policy", self.default_policy) not in self.policies:
                raise ModelError(f"{where}: unknown policy {contract['policy']!r}")
            for area in self.areas.values():
                if area.model is not None and area.model.check is not None:
                    area.model.check(self, contract, where)

    def check_policy(self, policy: dict, source: str, at: str) -> None:
        """A policy's settings as a contract keeps them (a snapshot's, say): each area's keys
        valid for it, and no key that no area knows."""
        self._check_parts(policy, "policy", _POLICY_KEYS, source, at)

    def _check_parts(self, document: dict, definition: str, core_keys: tuple[str, ...], source: str, at: str,
                     checked: bool = False) -> None:
        """Each area's keys of a contract or policy document against that area's schema; a key
        no area knows is an error."""
        known = set(core_keys)
        for area in self.areas.values():
            if area.model is None:
                continue
            schema = resources.load_yaml(area.model.schema)["$defs"].get(definition)
            if schema is None:
                continue
            keys = set(schema.get("properties", {}))
            known |= keys
            if not checked:
                validate({k: v for k, v in document.items() if k in keys}, definition, source, area.model.schema, at)
        unknown = sorted(set(document) - known)
        if unknown:
            raise ModelError(f"{source + ': ' if source else ''}at {at}: unknown key {unknown[0]!r}")

    def code(self, table: str, key: str) -> str:
        """The code of ``key`` in a code table ("risk-statuses", "pending" -> "1")."""
        return self.codes[table].code(key)

    def error_text(self, key: str, language: str, params: dict[str, str]) -> tuple[str, str]:
        entry = self.errors[key]
        text = entry.get(language.upper(), entry["ES"])
        try:
            text = text.format(**params)
        except (KeyError, IndexError):
            pass  # a user's text that names a value this error does not carry: show it as written
        return entry["errorCode"], text

    def error_text_of(self, code: str, language: str) -> str:
        """The text of an errorCode in ``language``, its placeholders as written; for a code
        mocks/ does not know, one that names it."""
        for entry in self.errors.values():
            if entry["errorCode"] == code:
                return entry.get(language.upper(), entry["ES"])
        return f"Error {code}"


@cache
def _shared(directory: str, areas: Areas) -> SandboxModel:
    return SandboxModel(directory, areas)


def _jsonschema_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jsonschema")
    except PackageNotFoundError:
        return "unknown"
