"""README.md's commands, run as printed against a live emulator: a newcomer's first minutes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from emulator.control import Control
from emulator.server import ThreadedServer

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks(section: str, language: str = "sh") -> list[str]:
    text = README.read_text("utf-8").split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


@pytest.mark.e2e  # a served emulator, driven by curl
@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through uses curl")
def test_the_walk_through_works_as_printed():
    first, clock, sale = blocks("Walk-through")
    with ThreadedServer() as server:
        def run(script: str) -> list[dict]:
            script = script.replace("http://localhost:8080", server.url)
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

        granted, read_back, portfolio = run(first)
        assert granted["debtor"]["endorsementNo"] == "117" and granted["debtor"]["statusCode"] == "2"
        assert read_back["debtor"] == granted["debtor"]
        assert len(portfolio["debtor"]) == 19 and portfolio["client"]["nextEndorsementNo"] == "0"
        assert "300001" in [d["endorsementNo"] for d in portfolio["debtor"]]

        [moved] = run(clock)
        assert moved["tenant"] == "my-erp"
        tenant = Control(server.url, "my-erp")
        records = {d["endorsementNo"]: d for d in tenant.request("GET", "portfolio/v1/contracts/10100000001/portfolio").body["debtor"]}
        assert "300001" not in records and records["106"]["creditLimitGranted"] == "112500,00"
        movements = tenant.request("GET", "portfolio-movements/v1/contracts/10100000001/movements").body["debtor"]
        assert "106" in [d["endorsementNo"] for d in movements]

        declared, moved_sales = run(sale)
        assert (declared["sale"]["saleCesceReferenceNo"], declared["sale"]["statusCode"], declared["sale"]["reasonStatusCode"],
                declared["sale"]["accruedPremium"]) == ("1000018", "5", "00", "25,00")
        assert "1000018" in [s["saleCesceReferenceNo"] for s in moved_sales["sale"]]
        assert moved_sales["client"]["initialValue"] == ""


@pytest.mark.e2e  # a served emulator, driven by curl
@pytest.mark.skipif(shutil.which("curl") is None, reason="the sample uses curl")
def test_the_operator_surfaces_fault_sample_works_as_printed():
    [sample] = blocks("The operator surface")
    with ThreadedServer() as server:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", sample.replace("localhost:8080", server.url)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        tenant = Control(server.url, "me")
        first, second = (tenant.request("GET", "portfolio/v1/contracts/10100000001/portfolio") for _ in range(2))

    assert first.body["error"]["errorCode"] == "0"
    assert (second.status, second.body["error"]["errorCode"]) == (200, "9000")


def test_the_readme_names_the_two_commands_a_newcomer_needs():
    text = README.read_text("utf-8")
    assert "pip install . && cesce-emulator serve" in text
    command = text.split("<!-- test command -->", 1)[1].strip().splitlines()[0].strip()
    assert command.endswith("pytest -n 2") and '".[test]"' in command


def test_the_settings_override_and_the_fixture_sample_run_as_printed(pytester, monkeypatch):
    monkeypatch.delenv("CESCE_EMULATOR_URL", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    conftest, test = [block for block in blocks("Test your client with pytest", "python")
                      if "cesce_emulator_settings" in block or "def test_a_strict" in block]
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_sample=test)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.e2e  # a served emulator, driven by curl
@pytest.mark.skipif(shutil.which("curl") is None, reason="the section uses curl")
def test_saving_and_restoring_a_world_works_as_printed(tmp_path):
    [save_and_restore] = blocks("Save and restore a tenant's world")
    with ThreadedServer() as server:
        first = Control(server.url, "my-erp")
        first.seed("guide-pending-example")
        first.request("POST", "classifications/v1/contracts/20000000003/classifications",
                      body={"debtor": {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "5000,00"}})
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", save_and_restore.replace("http://localhost:8080", server.url)],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["tenant"] == "my-erp-copy"
        saved = json.loads((tmp_path / "my-erp.json").read_text("utf-8"))
        copied = Control(server.url, "my-erp-copy").state()
        assert copied["contracts"] == saved["contracts"] and (copied["now"], copied["frozen"]) == (saved["now"], True)
        # In the same emulator, the first world keeps its journal's ids: the copy's come after.
        assert [{**e, "id": 0} for e in copied["journal"]] == [{**e, "id": 0} for e in saved["journal"]]
