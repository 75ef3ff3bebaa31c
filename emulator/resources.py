"""The one place that finds the data the emulator ships: mocks/, fixtures/ and openapi.yaml.

An installed wheel carries mocks/ and fixtures/ under ``emulator/_bundled/``; a checkout or an
editable install has them at the repository root. A path in Settings replaces either.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from emulator import files, memo

PACKAGE_DIR = Path(__file__).resolve().parent
OPENAPI_PATH = PACKAGE_DIR / "openapi.yaml"


def _bundled(name: str) -> Path:
    installed = PACKAGE_DIR / "_bundled" / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


def mocks_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else _bundled("mocks")


def fixtures_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else _bundled("fixtures")


@cache
def load_yaml(path: Path) -> Any:
    """A YAML file read once per process (the package's own data and the Sandbox Model),
    within the limits of emulator/files.py. What it holds is remembered between runs as JSON
    (emulator.memo), which reads ten times faster than YAML: most of a start's file reading."""
    name = memo.key("yaml", [path, Path(files.__file__)])
    kept = memo.recall(name)
    if isinstance(kept, dict) and "data" in kept:
        return kept["data"]
    data = files.read_yaml(path)
    memo.keep(name, {"data": data})
    return data
