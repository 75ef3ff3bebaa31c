"""The one reader of data files (emulator/files.py): plain data as PyYAML's safe loader gives it,
within limits of size, nesting and aliases, and one line naming the document and the problem."""

from __future__ import annotations

import datetime
import importlib.util
import sys

import pytest

from emulator import files


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def test_yaml_reads_as_the_safe_loader_reads_it():
    text = "a: 2026-01-15\nb: [1, 2.5, true, null, '007']\nc: &shared {k: v}\nd: *shared\n"
    assert files.parse_yaml(text, "doc") == {"a": datetime.date(2026, 1, 15), "b": [1, 2.5, True, None, "007"],
                                             "c": {"k": "v"}, "d": {"k": "v"}}
    assert files.parse_yaml("", "doc") is None


@pytest.mark.parametrize(("depth", "accepted"), [(files.MAX_DEPTH, True), (files.MAX_DEPTH + 1, False)])
def test_the_nesting_limit_is_the_same_for_yaml_and_json(depth, accepted):
    for parse in (files.parse_yaml, files.parse_json):
        if accepted:
            assert parse(nested(depth), "doc") is not None
        else:
            with pytest.raises(files.FileError, match=f"nested more than {files.MAX_DEPTH} levels deep"):
                parse(nested(depth), "doc")


@pytest.mark.parametrize(("text", "problem"), [
    ("a: &a [1, *a]\n", "line 1, column 11: the alias *a refers to a node that contains it"),
    ("a: *nowhere\n", "line 1, column 4: found undefined alias 'nowhere'"),
    ("--- 1\n--- 2\n", "line 2, column 1: but found another document"),
    ("a: !!binary eA==\nb: !!python/tuple [1]\n", "line 2, column 4: the tag !!python/tuple is not allowed"),
    ("a: \x07\n", "line 1, column 4: unacceptable character #x0007: control characters are not allowed"),
])
def test_yaml_errors_say_where_and_what(text, problem):
    with pytest.raises(files.FileError) as error:
        files.parse_yaml(text, "doc.yaml")
    message = str(error.value)
    assert message.startswith(f"doc.yaml: {problem}") and "\n" not in message


def test_aliases_may_repeat_up_to_the_limit_in_all():
    values = "[" + ", ".join(["x"] * 999) + "]"
    fits = f"a: &a {values}\n" + "".join(f"b{n}: *a\n" for n in range(100))
    assert len(files.parse_yaml(fits, "doc")) == 101
    with pytest.raises(files.FileError, match="line 102, column 7: aliases repeat more than 100,000 values in all"):
        files.parse_yaml(fits + "b100: *a\n", "doc")


def test_json_errors_say_where_and_what(tmp_path):
    with pytest.raises(files.FileError, match=r"^doc\.json: line 2, column 1: not valid JSON: Expecting value$"):
        files.parse_json('{"a":\n}', "doc.json")
    missing = tmp_path / "nowhere.json"
    with pytest.raises(files.FileError, match=f"^{missing}: No such file or directory$"):
        files.read_json(missing)


def test_a_file_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert files.read_json(path) == {"a": 1}


def test_without_libyaml_the_same_limits_hold(monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml.cyaml", None)  # as PyYAML built without libyaml
    spec = importlib.util.spec_from_file_location("files_without_libyaml", files.__file__)
    pure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pure)

    assert pure._Parser.__module__ == "files_without_libyaml"
    assert pure.parse_yaml("a: [1, {b: c}]\n", "doc") == {"a": [1, {"b": "c"}]}
    for text, problem in [("- " * 100_000 + "x", "line 1, column 201: nested more than 100 levels deep"),
                          (nested(100_000), "line 1, column 101: nested more than 100 levels deep"),
                          ("a: &a [1, *a]\n", "line 1, column 11: the alias *a refers to a node that contains it")]:
        with pytest.raises(pure.FileError) as error:
            pure.parse_yaml(text, "doc")
        assert str(error.value) == f"doc: {problem}"
