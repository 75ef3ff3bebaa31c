"""The Sandbox Model: the data in mocks/ (or a user's copy of it), loaded and checked once.

Cesce publishes no mock data, so ours is invented and documented in mocks/README.md. Each file
is checked against its JSON Schema (schemas/sandbox-model.yaml) and the files against each
other, so a bad edit fails at start-up with the file and the place, never at request time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from emulator import resources
from emulator.clock import parse_instant
from emulator.errors import all_errors
from emulator.files import FileError
from emulator.policy import Policy

_SCHEMA = resources.PACKAGE_DIR / "schemas" / "sandbox-model.yaml"


class ModelError(FileError):
    """A file of the Sandbox Model, or a scenario, is not valid."""


def validate(document: Any, definition: str, source: str, schema_file: Path = _SCHEMA) -> Any:
    """``document`` if it matches ``definition`` of the schema file; ModelError naming the place
    otherwise."""
    schema = {**resources.load_yaml(schema_file), "$ref": f"#/$defs/{definition}"}
    try:
        found = jsonschema.Draft202012Validator(schema).iter_errors(document)
        error = jsonschema.exceptions.best_match(found)
    except RecursionError:
        raise ModelError(f"{source}: nested too deeply") from None
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        message = error.message if len(error.message) <= 300 else error.message[:300] + "…"  # it shows the value
        raise ModelError(f"{source}: at {where}: {message}")
    return document


class SandboxModel:
    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = resources.mocks_dir(directory)
        self.products: dict[str, str] = self._load("products.yaml", "products")
        policies = self._load("policies.yaml", "policies")
        self.policies = {name: Policy.from_doc(doc) for name, doc in policies["policies"].items()}
        self.default_policy = policies["default"]
        world = self._load("contracts.yaml", "contracts")
        self.sandbox_now = parse_instant(world["sandboxNow"])
        self.contracts: dict[str, dict] = {c["contractNo"]: c for c in world["contracts"]}
        registry = self._load("companies.yaml", "companies")
        self.companies = {(c["countryCode"], c["taxCode"]): c for c in registry["companies"]}
        self.countries_without_online_data = frozenset(registry.get("countriesWithoutOnlineData", []))
        self.errors: dict[str, dict] = self._load("codes/errors.yaml", "errorTable")
        self.statuses: dict[str, dict] = self._load("codes/risk-statuses.yaml", "codeTable")
        self.decisions: dict[str, dict] = self._load("codes/decisions.yaml", "codeTable")
        self._check()

    def _load(self, name: str, definition: str) -> Any:
        path = self.directory / name
        if not path.is_file():
            raise ModelError(f"{path}: missing")
        return validate(resources.load_yaml(path), definition, str(path))

    def _check(self) -> None:
        missing = {e.key for e in all_errors()} - set(self.errors)
        if missing:
            raise ModelError(f"{self.directory / 'codes/errors.yaml'}: no text for {sorted(missing)}")
        if self.default_policy not in self.policies:
            raise ModelError(f"{self.directory / 'policies.yaml'}: default policy {self.default_policy!r} is not defined")
        for company in self.companies.values():
            for key in filter(None, [company.get("reason")]):
                self._known(self.decisions, key, "companies.yaml")
        self.check_contracts(list(self.contracts.values()), str(self.directory / "contracts.yaml"))

    def check_contracts(self, contracts: list[dict], source: str) -> None:
        """The cross-file rules a world document must keep: known policies, statuses, decisions."""
        for contract in contracts:
            if contract.get("policy", self.default_policy) not in self.policies:
                raise ModelError(f"{source}: contract {contract['contractNo']}: unknown policy {contract['policy']!r}")
            for seed in contract.get("debtors", []) + contract.get("generate", []):
                self._known(self.statuses, seed["status"], source)
                for key in filter(None, [seed.get("decision"), seed.get("pendingRequest", {}).get("decision")]):
                    self._known(self.decisions, key, source)

    @staticmethod
    def _known(table: dict, key: str, source: str) -> None:
        if key not in table:
            raise ModelError(f"{source}: unknown code {key!r}; known: {', '.join(table)}")

    def status(self, key: str) -> str:
        return self.statuses[key]["code"]

    def status_key(self, code: str) -> str:
        return next(key for key, entry in self.statuses.items() if entry["code"] == code)

    def decision(self, key: str) -> str:
        return self.decisions[key]["code"]

    def policy_of(self, contract_no: str) -> Policy:
        doc = self.contracts.get(contract_no, {})
        return self.policies[doc.get("policy", self.default_policy)]

    def error_text(self, key: str, language: str, params: dict[str, str]) -> tuple[str, str]:
        entry = self.errors[key]
        text = entry.get(language.upper(), entry["ES"])
        try:
            text = text.format(**params)
        except (KeyError, IndexError):
            pass  # a user's text that names a value this error does not carry: show it as written
        return entry["errorCode"], text
