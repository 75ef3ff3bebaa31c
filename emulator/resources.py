"""The one place that finds the data the emulator ships: mocks/, fixtures/ and openapi.yaml.

An installed wheel carries mocks/ and fixtures/ under ``emulator/_bundled/``; a checkout or an
editable install has them at the repository root. A path in Settings replaces either.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
OPENAPI_PATH = PACKAGE_DIR / "openapi.yaml"
#: PyYAML's safe loader in C (libyaml) when PyYAML was built with it: the same documents, about
#: eight times faster, which is most of what starting the emulator reads.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _bundled(name: str) -> Path:
    installed = PACKAGE_DIR / "_bundled" / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


def mocks_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else _bundled("mocks")


def fixtures_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else _bundled("fixtures")


@cache
def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 (a safe loader)
