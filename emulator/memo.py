"""What starting the emulator works out from its files, remembered between runs.

Joining the OpenAPI document and checking the Sandbox Model against its schemas take jsonschema
and referencing (a fifth of what starting costs, their imports included) and give the same
answer for the same files. Each answer is kept as JSON in the user's cache directory
(``$XDG_CACHE_HOME/cesce-emulator``, else ``~/.cache/cesce-emulator``), under a key made of the
bytes of every file it was worked out from and of the code and library versions that worked it
out: a file that changes is worked out afresh, never misread. A directory that cannot be read
or written costs only the time it would have saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Changes whenever what is kept changes shape.
FORMAT = "1"


def directory() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "cesce-emulator"


def key(kind: str, files: Iterable[Path], *more: str) -> str | None:
    """The key of ``kind`` worked out from ``files`` (their bytes) and ``more``; None when a
    file cannot be read (then nothing is remembered)."""
    digest = hashlib.sha256(f"{FORMAT}\0{kind}".encode())
    try:
        for path in sorted({Path(path) for path in files}):
            digest.update(f"\0{path}\0".encode() + path.read_bytes())
    except OSError:
        return None
    for part in more:
        digest.update(f"\0{part}".encode())
    return f"{kind}-{digest.hexdigest()}"


def recall(name: str | None) -> Any:
    """What was kept under ``name``, or None."""
    if name is None:
        return None
    try:
        return json.loads((directory() / f"{name}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def keep(name: str | None, value: Any) -> None:
    """Keep ``value`` under ``name`` if JSON gives it back exactly (written whole or not at all,
    so processes starting together never read half of it)."""
    if name is None:
        return
    text = json.dumps(value, ensure_ascii=False)
    if json.loads(text) != value:
        return  # a tuple or a key JSON would not give back as it was
    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False)
    except OSError:
        return
    try:
        with handle:
            handle.write(text)
        os.replace(handle.name, folder / f"{name}.json")
    except OSError:
        Path(handle.name).unlink(missing_ok=True)


def files_under(folder: Path, pattern: str = "*.yaml") -> list[Path]:
    """Every file of ``folder`` and its subfolders matching ``pattern``."""
    return sorted(folder.rglob(pattern)) if folder.is_dir() else []
