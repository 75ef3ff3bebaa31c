"""What starting works out from files is remembered between runs (emulator.memo), and never
stands in for a check of a file that changed: a bad edit of the Sandbox Model still fails at
start-up, naming the file; a broken or unwritable cache only costs time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from emulator import memo, resources
from emulator.api_document import ApiDocument
from emulator.areas import discover
from emulator.sandbox_model import ModelError, SandboxModel

PARTS = [area.document for area in discover().values() if area.document]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "cesce-emulator"


@pytest.fixture
def mocks(tmp_path) -> Path:
    return Path(shutil.copytree(resources.mocks_dir(), tmp_path / "mocks"))


def documents(cache: Path) -> list[Path]:
    return [path for path in cache.iterdir() if path.name.startswith("openapi-")]


def test_a_yaml_file_is_remembered_as_its_data_and_read_afresh_once_changed(cache, tmp_path):
    source = tmp_path / "codes.yaml"
    source.write_text("pending: '1'\n", "utf-8")
    assert resources.load_yaml(source) == {"pending": "1"}
    assert [path.name for path in cache.iterdir() if path.name.startswith("yaml-")]
    source.write_text("pending: '2'\n", "utf-8")
    resources.load_yaml.cache_clear()  # as a new process would read it
    assert resources.load_yaml(source) == {"pending": "2"}


def test_the_sandbox_models_checks_are_remembered_and_a_changed_file_is_checked_afresh(cache, mocks):
    SandboxModel(mocks)
    assert len([path for path in cache.iterdir() if path.name.startswith("sandbox-")]) == 1
    SandboxModel(mocks)  # remembered: the same files, checked once
    contracts = mocks / "contracts.yaml"
    contracts.write_text(contracts.read_text("utf-8").replace('sandboxNow: "2026-01-15T09:00:00Z"', "sandboxNow: 7"), "utf-8")
    resources.load_yaml.cache_clear()  # as a new process would read it
    with pytest.raises(ModelError, match=f"{contracts}: at sandboxNow: 7 is not of type 'string'"):
        SandboxModel(mocks)


def test_the_joined_document_is_remembered_as_it_was_worked_out(cache):
    products = resources.load_yaml(resources.mocks_dir() / "products.yaml")
    worked_out = ApiDocument(PARTS, products)
    [kept] = documents(cache)
    remembered = ApiDocument(PARTS, products)
    assert remembered.document == worked_out.document
    assert remembered.operations == worked_out.operations
    assert ApiDocument(PARTS, {**products, "portfolio": "cartera"}).operations["getPortfolio"].path.startswith("/cartera/")
    assert len(documents(cache)) == 2  # another product map is another document


def test_a_broken_or_unwritable_cache_costs_only_time(tmp_path, monkeypatch, cache):
    products = resources.load_yaml(resources.mocks_dir() / "products.yaml")
    expected = ApiDocument(PARTS, products).operations
    [kept] = documents(cache)
    kept.write_text('{"document": {', "utf-8")
    assert ApiDocument(PARTS, products).operations == expected
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    assert ApiDocument(PARTS, products).operations == expected
    assert memo.recall(memo.key("openapi", [])) is None
