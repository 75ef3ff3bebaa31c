"""A state file made by an older release opens with nothing lost: a user's /data volume survives
an upgrade.

tests/data/state-0.1.sql is the SQL dump of a state file written by cesce-sandbox 0.1 (schema
version 0, before the schema carried one): a tenant on a frozen clock that got a token, asked
for limits (one granted, one pending new debtor, one pending 300xxx request on a known debtor),
seeded the guide's scenario (its own 300001 request), let two hours pass and had Cesce reduce a
limit. tests/data/state-0.1.json is what 0.1 itself answered for that tenant's state and
journal, and the token response it gave.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from emulator import Settings, create_app
from emulator.store import Store, StoreError, all_migrations
from emulator.areas import discover

DATA = Path(__file__).resolve().parent / "data"
TENANT = "migrating-erp"
OLD = json.loads((DATA / "state-0.1.json").read_text("utf-8"))


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript((DATA / "state-0.1.sql").read_text("utf-8"))
    app = create_app(Settings(state=str(path)))
    yield app.test_client(), path
    app.extensions["cesce"].store.close()


def test_every_record_of_an_old_state_file_is_there_after_the_upgrade(upgraded):
    client, path = upgraded
    state = client.get(f"/_emulator/state?client_id={TENANT}").json
    assert (state["now"], state["frozen"]) == (OLD["state"]["now"], True)
    contracts = {contract["contractNo"]: contract for contract in state["contracts"]}
    for old in OLD["state"]["contracts"]:
        new = contracts[old["contractNo"]]
        assert new["debtors"] == old["debtors"]  # every field, the committee dates included
        assert new["policy"] == old["policy"]
    assert client.get(f"/_emulator/journal?client_id={TENANT}").json["entries"] == OLD["journal"]
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == max(all_migrations(discover().migrations()))


def test_an_old_refresh_token_still_works(upgraded):
    client, _ = upgraded
    answer = client.post("/dev/oauth2/v1/token", data={"grant_type": "refresh_token", "client_id": TENANT,
                                                       "client_secret": "s", "refresh_token": OLD["token"]["refresh_token"]})
    assert answer.status_code == 200
    headers = {"Authorization": f"Bearer {answer.json['access_token']}"}
    read = client.get("/dev/classifications/v1/contracts/10100000001/classifications?customerReference=MIG-1", headers=headers)
    assert (read.status_code, read.json["debtor"]["endorsementNo"]) == (200, "115")


def test_pending_requests_of_an_old_file_are_decided_on_their_dates_and_numbers_go_on(upgraded):
    client, _ = upgraded
    client.post(f"/_emulator/clock?client_id={TENANT}", json={"advance": "P12D"})
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": TENANT, "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    base = "/dev/classifications/v1/contracts/10100000001/classifications"
    # The 300002 request on 101 (90000,00 asked) was due on 2026-01-22: the committee grants 75 %.
    decided = client.get(f"{base}?endorsementNo=101", headers=headers).json["debtor"]
    assert (decided["creditLimitGranted"], decided["classificationDate"]) == ("67500,00", "20260122")
    guide = client.get("/dev/classifications/v1/contracts/20000000003/classifications?endorsementNo=100", headers=headers)
    assert guide.json["debtor"]["creditLimitGranted"] == "75000,00"
    portfolio = client.get("/dev/portfolio/v1/contracts/10100000001/portfolio", headers=headers).json["debtor"]
    assert not [d for d in portfolio if d["statusCode"] == "1"]  # every request decided
    new = client.post(base, json={"debtor": {"countryCode": "ES", "taxCode": "B71111111", "creditLimitRequested": "1000,00"}},
                      headers=headers).json["debtor"]
    assert new["endorsementNo"] == "117"  # 0.1 had numbered up to 116
    request = client.post(base, json={"debtor": {"endorsementNo": "107", "creditLimitRequested": "95000,00"}},
                          headers=headers).json["debtor"]
    assert request["endorsementNo"] == "300003"


def test_a_state_file_of_a_newer_release_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "newer.sqlite3"
    Store(str(path)).close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreError, match="schema version 999, made by a newer cesce-sandbox"):
        Store(str(path))


def test_a_failing_migration_leaves_the_file_at_the_version_before(tmp_path):
    path = tmp_path / "state.sqlite3"
    migrations = all_migrations(discover().migrations())
    latest = max(migrations)
    Store(str(path), migrations).close()
    broken = {**migrations, latest + 1: ("toy", "CREATE TABLE toys (id INTEGER);\nINSERT INTO nowhere VALUES (1);")}
    with pytest.raises(StoreError, match=f"migration {latest + 1} \\(toy\\) failed"):
        Store(str(path), broken)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == latest
    assert not connection.execute("SELECT name FROM sqlite_master WHERE name = 'toys'").fetchall()


def test_an_old_state_file_takes_sales_on_the_limits_it_holds(upgraded):
    client, _ = upgraded
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": TENANT, "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    base = "/dev/sales/v1/contracts/10100000001/sales"

    def declare(endorsement: str, invoiced: str) -> dict:
        body = {"sale": {"endorsementNo": endorsement, "invoiceNo": f"OLD-{endorsement}-{invoiced}", "invoiceDate": invoiced,
                         "maturityDate": "20260301", "currencyAmount": "1000,00"}}
        answer = client.post(base, json=body, headers=headers)
        assert answer.status_code == 201, answer.json
        return answer.json["sale"]

    # 100 has been in force since its request of 2024-02-15; 103 was cancelled on 2026-01-10;
    # 102 was rejected; 101 has a 300002 request waiting for the committee.
    assert declare("100", "20260110")["statusCode"] == "5"
    assert declare("100", "20240214")["reasonStatusCode"] == "20"
    assert declare("103", "20260111")["reasonStatusCode"] == "20"
    assert declare("103", "20260105")["reasonStatusCode"] == "25"  # an endorsed sale, and no Endosos
    assert declare("102", "20260110")["reasonStatusCode"] == "20"
    assert declare("101", "20260115")["statusCode"] == "1"
