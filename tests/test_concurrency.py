"""What must keep holding when many clients work at once against one served emulator (a shared
CI container): numbers handed out once and in order, tenants kept apart, a refresh token used
once, and every acknowledged write kept through a kill of the process."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException

from emulator.control import Control, call

CONTRACT = "30000000077"
CLASSIFY = f"classifications/v1/contracts/{CONTRACT}/classifications"


def classify(tenant: Control, token: str, tax_code: str, amount: str = "1000,00") -> dict:
    answer = tenant.request("POST", CLASSIFY, token, {"debtor": {
        "countryCode": "ES", "taxCode": tax_code, "creditLimitRequested": amount, "nonPaymentInd": "N"}})
    assert answer.status == 201, answer.body
    return answer.body["debtor"]


def test_sixteen_threads_classifying_on_one_contract_get_distinct_gap_free_numbers(serve_emulator):
    served = serve_emulator()
    tenant = Control(served.url, "numbers")
    token = tenant.token()["access_token"]
    first = int(classify(tenant, token, "B00000000")["endorsementNo"])

    def hundred(thread: int) -> list[int]:
        return [int(classify(tenant, token, f"B{thread:02d}{n:06d}")["endorsementNo"]) for n in range(100)]

    with ThreadPoolExecutor(16) as pool:
        numbers = [number for batch in pool.map(hundred, range(1, 17)) for number in batch]

    assert sorted(numbers) == list(range(first + 1, first + 1601))


def test_sixteen_tenants_working_at_once_never_see_each_others_debtors(serve_emulator):
    served = serve_emulator()

    def work(n: int) -> tuple[set[str], set[str], int]:
        tenant = Control(served.url, f"tenant-{n:02d}")
        token = tenant.token()["access_token"]
        for k in range(10):
            classify(tenant, token, f"T{n:02d}X{k:05d}")
        page = tenant.request("GET", f"portfolio/v1/contracts/{CONTRACT}/portfolio", token).body["debtor"]
        other = tenant.request("GET", CLASSIFY, token, query={"countryCode": "ES", "taxCode": f"T{(n + 1) % 16:02d}X00000"})
        return {d["taxCode"] for d in page}, {f"T{n:02d}X{k:05d}" for k in range(10)}, other.body

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))

    for seen, own, other in results:
        assert seen == own
        assert other["error"]["errorDescription"] == "NO EXISTE LIMITE A PARTIR DE LOS DATOS INTRODUCIDOS"


def test_of_concurrent_refreshes_of_one_refresh_token_exactly_one_succeeds(serve_emulator):
    served = serve_emulator()
    tenant = Control(served.url, "refresher")
    refresh = tenant.token()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "refresher",
            "client_secret": "secret"}
    start = threading.Barrier(16)

    def refresh_once(_: int) -> int:
        start.wait()
        return call("POST", tenant.token_url, form=form).status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(refresh_once, range(16)))

    assert statuses.count(200) == 1
    assert all(400 <= status < 500 for status in statuses if status != 200)


def test_a_kill_in_the_middle_of_a_write_load_loses_no_acknowledged_write(tmp_path, serve_emulator):
    state = str(tmp_path / "state.sqlite3")
    acknowledged: dict[str, tuple[str, str]] = {}  # taxCode -> (endorsementNo, amount asked)
    served = serve_emulator("--state", state)
    for round_no in range(5):
        tenant = Control(served.url, "survivor")
        token = tenant.token()["access_token"]
        stop = threading.Event()

        def load(thread: int) -> None:
            n = 0
            while not stop.is_set():
                tax_code, amount = f"K{round_no}{thread:02d}{n:06d}", f"{1000 + n},{thread:02d}"
                try:
                    debtor = classify(tenant, token, tax_code, amount)
                except (OSError, HTTPException):
                    return  # the server is gone: this write was never acknowledged
                acknowledged[tax_code] = (debtor["endorsementNo"], amount)
                n += 1

        threads = [threading.Thread(target=load, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        assert served.stop(signal.SIGKILL) == -signal.SIGKILL
        stop.set()
        for thread in threads:
            thread.join()

        served = serve_emulator("--state", state)
        [contract] = Control(served.url, "survivor").state(CONTRACT)["contracts"]
        records = {d["taxCode"]: d for d in contract["debtors"]}
        for tax_code, (number, amount) in acknowledged.items():
            record = records[tax_code]
            assert (record["endorsementNo"], record["creditLimitRequested"]) == (number, amount)
        numbers = sorted(int(d["endorsementNo"]) for d in contract["debtors"])
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no hole, no double
        assert all(d["statusCode"] and d["countryCode"] == "ES" and d["classificationDate"] for d in records.values()
                   if d["taxCode"].startswith("K"))
    assert served.stop() == 0
    assert len(acknowledged) > 5 * 8
