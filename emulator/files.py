"""Reading data files with limits: the Sandbox Model, scenarios, replay cases, Postman
collections and posted documents all come through here.

A malformed or hostile file is one line naming the file and the problem (with the line and
column of a YAML error), never a traceback, a hang or an exhausted memory: files larger than
``MAX_BYTES``, data nested deeper than ``MAX_DEPTH`` and YAML aliases that repeat more than
``MAX_ALIASED`` values in all (an "alias bomb") are refused. YAML is read as plain data only
(PyYAML's safe loader: no tag builds an object), and with libyaml's parser when it is there.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent, StreamEndEvent
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

MAX_BYTES = 128 * 2**20
MAX_DEPTH = 100
MAX_ALIASED = 100_000


class FileError(ValueError):
    """A data file that cannot be read; the message names the file and the problem."""


def read_yaml(path: Path) -> Any:
    """The data of a YAML file (None when empty)."""
    return parse_yaml(_read(path), str(path))


def read_json(path: Path) -> Any:
    """The data of a JSON file."""
    return parse_json(_read(path), str(path))


def parse_yaml(text: str, source: str) -> Any:
    """The data of a YAML document; ``source`` names it in errors."""
    _check_size(len(text), source)
    loader = _Loader(text)
    try:
        with _no_collection():
            return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        raise FileError(f"{source}: {_where(error.problem_mark)}{_problem(error)}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position)
        column = error.position - (text.rfind("\n", 0, error.position) + 1)
        raise FileError(f"{source}: line {line + 1}, column {column + 1}: unacceptable character"
                        f" #x{error.character:04x}: {error.reason}") from None
    except yaml.YAMLError as error:
        raise FileError(f"{source}: {' '.join(str(error).split())}") from None
    finally:
        loader.dispose()


def parse_json(text: str | bytes, source: str) -> Any:
    """The data of a JSON document; ``source`` names it in errors."""
    _check_size(len(text), source)
    try:
        with _no_collection():
            data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileError(f"{source}: line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}") from None
    except UnicodeDecodeError:
        raise FileError(f"{source}: not UTF-8 text") from None
    except RecursionError:
        raise FileError(f"{source}: nested more than {MAX_DEPTH} levels deep") from None
    if _depth(data) > MAX_DEPTH:
        raise FileError(f"{source}: nested more than {MAX_DEPTH} levels deep")
    return data


def _read(path: Path) -> str:
    try:
        _check_size(path.stat().st_size, str(path))
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise FileError(f"{path}: {error.strerror or error}") from None


def _check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        limit = f"{MAX_BYTES // 2**20} MiB" if MAX_BYTES >= 2**20 else f"{MAX_BYTES // 2**10} KiB"
        raise FileError(f"{source}: larger than {limit}")


@contextmanager
def _no_collection() -> Iterator[None]:
    # A large file becomes millions of containers, none of them garbage: the cyclic collector's
    # passes over them would cost three times the parsing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in children)
    return deepest


class _LimitedComposer(Composer):
    """PyYAML's composer, counting as it goes: how deep the open nodes are, and how many
    values the document holds once its aliases are expanded."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._values = 0  # composed so far, aliases expanded
        self._aliased = 0
        self._sizes: dict[str, int] = {}  # an anchored node's values, once it is complete

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self.anchors:
                size = self._sizes.get(event.anchor)
                if size is None:
                    raise _Limit(event, f"the alias *{event.anchor} refers to a node that contains it")
                self._aliased += size
                if self._aliased > MAX_ALIASED:
                    raise _Limit(event, f"aliases repeat more than {MAX_ALIASED:,} values in all")
                self._values += size
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH and not isinstance(event, ScalarEvent):
            raise _Limit(event, f"nested more than {MAX_DEPTH} levels deep")
        before = self._values
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._values += 1
        if event.anchor is not None:
            self._sizes[event.anchor] = self._values - before
        return node


class _Loader(_LimitedComposer, _Parser, SafeConstructor, Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _LimitedComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._strings: dict[str, str] = {}

    def construct_str(self, node) -> str:
        # One object per distinct string: the keys and codes every replay case repeats would
        # otherwise take 40 % of a large file's memory.
        value = self.construct_scalar(node)
        return self._strings.setdefault(value, value)

    def get_single_data(self) -> Any:
        # PyYAML composes a whole document before building it, and its nodes take ten times
        # the memory of the data: a top-level list (replay cases) is built item by item instead,
        # each item's nodes dropped once it is built. An alias to an earlier item's anchor then
        # builds a copy, which the alias limit bounds.
        self.get_event()  # stream start
        data = None
        if not self.check_event(StreamEndEvent):
            self.get_event()  # document start
            first = self.peek_event()
            if isinstance(first, SequenceStartEvent) and first.anchor is None and first.tag in (None, "!"):
                data = self._items()
            else:
                data = self.construct_document(self.compose_node(None, None))
            self.get_event()  # document end
        if not self.check_event(StreamEndEvent):
            raise ComposerError("expected a single document in the stream", None,
                                "but found another document", self.get_event().start_mark)
        return data

    def _items(self) -> list:
        self.get_event()
        self._depth += 1
        items = []
        while not self.check_event(SequenceEndEvent):
            items.append(self.construct_document(self.compose_node(None, None)))
        self.get_event()
        self._depth -= 1
        return items


_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_str)


class _Limit(yaml.MarkedYAMLError):
    def __init__(self, event, problem: str) -> None:
        super().__init__(problem=problem, problem_mark=event.start_mark)


def _where(mark) -> str:
    return "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}: "


def _problem(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "not valid YAML"
    prefix = "could not determine a constructor for the tag "
    if problem == "exceeded maximum nesting depth":  # libyaml's own limit, met before ours in flow style
        return f"nested more than {MAX_DEPTH} levels deep"
    if problem.startswith(prefix):
        tag = problem[len(prefix):].strip("'").replace("tag:yaml.org,2002:", "!!")
        return f"the tag {tag} is not allowed: only plain data is read"
    if error.context:
        mark, here = error.context_mark, error.problem_mark
        elsewhere = mark is not None and (here is None or (mark.line, mark.column) != (here.line, here.column))
        started = f" started at line {mark.line + 1}, column {mark.column + 1}" if elsewhere else ""
        return f"{problem} ({error.context}{started})"
    return problem
