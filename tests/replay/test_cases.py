"""Replay cases (emulator/replay/cases.py): loaded from YAML files in order, and a request
answered by the first case of its own method and path whose query and body fields it has."""

from __future__ import annotations

from pathlib import Path

from emulator.replay import cases

PORTFOLIO = "portfolio/v1/contracts/1/portfolio"


def write(folder: Path, name: str, *entries: str) -> None:
    (folder / name).write_text("".join(entries), encoding="utf-8")


def entry(method: str, path: str, status: int, query: str = "", body: str = "") -> str:
    request = f"method: {method}, path: {path}" + (f", query: {query}" if query else "") + (f", body: {body}" if body else "")
    return f"- request: {{{request}}}\n  response: {{status: {status}}}\n"


def test_cases_are_tried_in_file_order_within_their_method_and_path(tmp_path):
    write(tmp_path, "b.yaml", entry("GET", PORTFOLIO, 202), entry("post", PORTFOLIO + "/", 203, body="{debtor: {a: '1'}}"))
    write(tmp_path, "a.yaml", entry("GET", PORTFOLIO, 200, query="{nextEndorsementNo: '5'}"), entry("GET", "/other", 201))

    replay = cases.load([tmp_path])

    assert [case.status for case in replay] == [200, 201, 202, 203] and len(replay) == 4
    assert replay.find("GET", f"/{PORTFOLIO}", {"nextEndorsementNo": "5", "x": "1"}, None).status == 200
    assert replay.find("get", f"/{PORTFOLIO}/", {}, None).status == 202
    assert replay.find("POST", f"/{PORTFOLIO}", {}, {"debtor": {"a": "1", "b": "2"}}).status == 203
    assert replay.find("POST", f"/{PORTFOLIO}", {}, {"debtor": {"a": "2"}}) is None
    assert replay.find("GET", "/other", {}, None).status == 201
    assert replay.find("DELETE", "/other", {}, None) is None


def test_no_files_no_cases(tmp_path):
    replay = cases.load([tmp_path / "missing", tmp_path])
    assert len(replay) == 0 and not replay and replay.find("GET", "/x", {}, None) is None
