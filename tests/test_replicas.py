"""Two `serve` processes on one PostgreSQL database, as a team's shared emulator runs behind a
load balancer: clients spread over both see one emulator. Numbers are handed out once and in
order, a duplicate sale is stored once, a refresh token is traded in once, work fallen due is
done once, and a replica killed in the middle of a write load loses no acknowledged write."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException

import psycopg
import pytest

from emulator.control import Control, call

pytestmark = pytest.mark.e2e

CONTRACT = "30000000077"
STANDARD = "10100000001"
CLASSIFY = f"classifications/v1/contracts/{CONTRACT}/classifications"


@pytest.fixture
def replicas(postgresql_schema, serve_emulator):
    """The database migrated by `cesce-emulator migrate`, then two replicas serving it."""
    migrated = subprocess.run([sys.executable, "-m", "emulator", "migrate", "--state", postgresql_schema],
                              capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr
    assert "(was a new state)" in migrated.stdout
    return [serve_emulator("--state", postgresql_schema) for _ in range(2)]


def classify(tenant: Control, token: str, tax_code: str, amount: str = "1000,00") -> dict:
    answer = tenant.request("POST", CLASSIFY, token, {"debtor": {
        "countryCode": "ES", "taxCode": tax_code, "creditLimitRequested": amount, "nonPaymentInd": "N"}})
    assert answer.status == 201, answer.body
    return answer.body["debtor"]


def test_health_names_the_database_and_migrate_finds_it_up_to_date(replicas, postgresql_schema):
    for served in replicas:
        health = call("GET", f"{served.url}/_emulator/health").body
        assert (health["store"], health["database"]) == ("postgresql", {"kind": "postgresql", "reachable": True})
    again = subprocess.run([sys.executable, "-m", "emulator", "migrate", "--state", postgresql_schema],
                           capture_output=True, text=True)
    version = again.stdout.split("schema version ")[1].split(" ")[0]
    assert again.returncode == 0 and f"(was version {version})" in again.stdout


def test_sixteen_threads_over_two_replicas_get_distinct_gap_free_numbers_and_lose_nothing(replicas):
    tenants = [Control(served.url, "numbers") for served in replicas]
    token = tenants[0].token()["access_token"]
    first = int(classify(tenants[1], token, "C00000000")["endorsementNo"])

    def fifty(thread: int) -> dict[str, str]:
        tenant = tenants[thread % 2]
        return {f"B{thread:02d}{n:06d}": classify(tenant, token, f"B{thread:02d}{n:06d}")["endorsementNo"]
                for n in range(50)}

    with ThreadPoolExecutor(16) as pool:
        acknowledged = {tax: number for batch in pool.map(fifty, range(16)) for tax, number in batch.items()}

    assert sorted(int(n) for n in acknowledged.values()) == list(range(first + 1, first + 801))
    for tenant in tenants:
        [contract] = tenant.state(CONTRACT)["contracts"]
        kept = {d["taxCode"]: d["endorsementNo"] for d in contract["debtors"] if d["taxCode"][1:3].isdigit()}
        assert {tax: kept[tax] for tax in acknowledged} == acknowledged


def test_sales_over_two_replicas_get_distinct_references_and_a_duplicate_is_stored_once(replicas):
    tenants = [Control(served.url, "seller") for served in replicas]
    token = tenants[0].token()["access_token"]

    def declare(tenant: Control, invoice: str) -> object:
        return tenant.request("POST", f"sales/v1/contracts/{STANDARD}/sales", token, {"sale": {
            "endorsementNo": "100", "invoiceNo": invoice, "invoiceDate": "20260110", "maturityDate": "20260311",
            "currencyAmount": "1000,00"}})

    def ten(thread: int) -> list[str]:
        answers = [declare(tenants[thread % 2], f"F-{thread:02d}-{n}") for n in range(10)]
        assert all(answer.status == 201 for answer in answers), [a.body for a in answers]
        return [answer.body["sale"]["saleCesceReferenceNo"] for answer in answers]

    with ThreadPoolExecutor(16) as pool:
        references = [ref for batch in pool.map(ten, range(16)) for ref in batch]
    assert len(set(references)) == 160
    numbers = sorted(int(ref) for ref in references)
    assert numbers == list(range(numbers[0], numbers[0] + 160))

    start = threading.Barrier(16)

    def same_sale(thread: int) -> int:
        start.wait()
        return declare(tenants[thread % 2], "F-TWICE").status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(same_sale, range(16)))
    assert statuses.count(201) == 1 and all(400 <= status < 500 for status in statuses if status != 201)
    for tenant in tenants:
        [contract] = tenant.state(STANDARD)["contracts"]
        assert [s["invoiceNo"] for s in contract["sales"]].count("F-TWICE") == 1


def test_of_refreshes_of_one_refresh_token_over_two_replicas_exactly_one_succeeds(replicas):
    tenants = [Control(served.url, "refresher") for served in replicas]
    refresh = tenants[0].token()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "refresher", "client_secret": "secret"}
    start = threading.Barrier(16)

    def refresh_once(thread: int) -> int:
        start.wait()
        return call("POST", tenants[thread % 2].token_url, form=form).status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(refresh_once, range(16)))
    assert statuses.count(200) == 1 and all(400 <= status < 500 for status in statuses if status != 200)


def test_a_decision_fallen_due_is_applied_once_whichever_replica_catches_up(replicas, postgresql_schema):
    tenants = [Control(served.url, "committee") for served in replicas]
    tenants[0].set_clock("2026-01-15T09:00:00Z", freeze=True)
    token = tenants[0].token()["access_token"]
    pending = tenants[1].request("POST", f"classifications/v1/contracts/{STANDARD}/classifications", token, {"debtor": {
        "countryCode": "ES", "taxCode": "B20000005", "creditLimitRequested": "20000,00"}}).body["debtor"]
    assert pending["statusCode"] == "1"
    tenants[0].advance("P7D")
    token = tenants[1].token()["access_token"]
    start = threading.Barrier(16)

    def read(thread: int) -> tuple[int, dict]:
        start.wait()
        answer = tenants[thread % 2].request("GET", f"classifications/v1/contracts/{STANDARD}/classifications", token,
                                             query={"endorsementNo": pending["endorsementNo"]})
        return answer.status, answer.body["debtor"]

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(read, range(16)))
    assert {(status, debtor["statusCode"], debtor["creditLimitGranted"]) for status, debtor in answers} == {
        (200, "2", "15000,00")}
    assert pending["endorsementNo"] not in [due["ref"] for due in tenants[0].state()["due"]]
    # Applied twice, the decision would have opened the debtor's cover of its sales twice.
    with psycopg.connect(postgresql_schema) as conn:
        covers = conn.execute("SELECT COUNT(*) FROM sale_covers WHERE tenant = 'committee' AND endorsement_no = %s",
                              (int(pending["endorsementNo"]),)).fetchone()[0]
    assert covers == 1


def test_a_replica_killed_in_the_middle_of_a_write_load_loses_no_acknowledged_write(replicas):
    acknowledged: dict[str, str] = {}
    tenants = [Control(served.url, "survivor") for served in replicas]
    token = tenants[0].token()["access_token"]
    stop = threading.Event()

    def load(thread: int) -> None:
        n = 0
        while not stop.is_set():
            tax_code = f"K{thread:02d}{n:06d}"
            try:
                acknowledged[tax_code] = classify(tenants[thread % 2], token, tax_code)["endorsementNo"]
            except (OSError, HTTPException):
                if thread % 2 == 0:
                    return  # the killed replica is gone: this write was never acknowledged
                raise
            n += 1

    threads = [threading.Thread(target=load, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    assert replicas[0].stop(signal.SIGKILL) == -signal.SIGKILL
    time.sleep(0.5)  # the other replica goes on writing meanwhile
    stop.set()
    for thread in threads:
        thread.join()

    [contract] = tenants[1].state(CONTRACT)["contracts"]
    kept = {d["taxCode"]: d["endorsementNo"] for d in contract["debtors"]}
    assert {tax: kept.get(tax) for tax in acknowledged} == acknowledged
    numbers = sorted(int(d["endorsementNo"]) for d in contract["debtors"])
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no hole, no double
    assert sum(tax.startswith("K") and int(tax[1:3]) % 2 == 1 for tax in acknowledged) > 8
