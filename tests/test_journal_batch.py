"""The journal entries of reads are written a batch at a time (emulator.journal_batch): a read
costs no write transaction of its own, and what anyone reads of the journal does not show it."""

from __future__ import annotations

import threading
import time

from emulator import Settings, create_app, journal_batch
from emulator.journal_batch import DELAY

STANDARD = "10100000001"
CLASSIFICATIONS = f"classifications/v1/contracts/{STANDARD}/classifications"


def test_a_read_writes_nothing_while_it_is_answered(api, app, monkeypatch):
    monkeypatch.setattr(journal_batch, "DELAY", 60)  # no batch written by its timer meanwhile
    api.get(CLASSIFICATIONS, endorsementNo="101")  # the tenant and its token exist
    api.operator("GET", "journal")  # and every entry so far is written
    store = app.extensions["cesce"].store
    statements: list[str] = []
    store.trace(statements.append)
    answers = [api.get(CLASSIFICATIONS, endorsementNo="101") for _ in range(5)]
    store.trace(None)
    assert [a.status_code for a in answers] == [200] * 5
    # Five reads, none of which wrote anything or took the write lock before it was answered.
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
              or s.startswith("BEGIN IMMEDIATE")]
    assert statements and not writes, writes


def test_the_journal_holds_every_request_in_the_order_it_was_answered(api):
    sent = []
    for _ in range(3):
        sent.append(api.get(CLASSIFICATIONS, endorsementNo="101").status_code)
        sent.append(api.classify(STANDARD, {"countryCode": "ES", "taxCode": f"B{len(sent):08d}",
                                            "creditLimitRequested": "1000,00"}).status_code)
        sent.append(api.get(CLASSIFICATIONS, endorsementNo="999999").status_code)  # refused: unknown
    entries = [e for e in api.operator("GET", "journal")["entries"] if e["operation"] != "token"]
    assert [e["status"] for e in entries] == sent == [200, 201, 400] * 3
    assert [e["operation"] for e in entries] == ["getClassification", "createClassification",
                                                 "getClassification"] * 3


def test_a_reset_leaves_no_read_of_before_in_the_journal(api):
    api.get(CLASSIFICATIONS, endorsementNo="101")
    assert api.client.post("/_emulator/reset", query_string={"client_id": api.tenant}, json={}).status_code == 200
    assert api.operator("GET", "journal")["entries"] == []


def test_reads_answered_by_one_process_reach_a_journal_another_reads(tmp_path, tenant_api):
    # Two emulators on one state file, as two replicas on one database: the reads one answers
    # are in the journal the other serves soon after, though the first writes nothing else.
    state = str(tmp_path / "state.sqlite3")
    answering, reading = create_app(Settings(state=state)), create_app(Settings(state=state))
    try:
        api = tenant_api(answering.test_client(), "replicated")
        api.get(CLASSIFICATIONS, endorsementNo="101")
        api.operator("GET", "journal")  # this process's entries so far are written
        other = reading.test_client()
        count = len(other.get("/_emulator/journal", query_string={"client_id": "replicated"}).json["entries"])
        assert api.get(CLASSIFICATIONS, endorsementNo="101").status_code == 200
        deadline = time.monotonic() + 40 * DELAY + 5
        while time.monotonic() < deadline:
            entries = other.get("/_emulator/journal", query_string={"client_id": "replicated"}).json["entries"]
            if len(entries) > count:
                break
            time.sleep(DELAY)
        assert [e["operation"] for e in entries[count:]] == ["getClassification"]
    finally:
        for app in (answering, reading):
            app.extensions["cesce"].store.close()


def test_a_view_while_a_write_holds_the_tenants_reads_waits_for_them(api, app):
    store = app.extensions["cesce"].store
    api.get(CLASSIFICATIONS, endorsementNo="101")  # a first contact, which writes
    assert api.get(CLASSIFICATIONS, endorsementNo="101").status_code == 200  # a read, journaled later
    holding, release = threading.Event(), threading.Event()

    def write_slowly() -> None:
        with store.transaction() as tx:
            tx.lock(api.tenant)  # takes the tenant's waiting entries, to write them first
            holding.set()
            release.wait(5)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    assert holding.wait(5)
    threading.Timer(0.3, release.set).start()
    operations = [e["operation"] for e in store.view(lambda tx: tx.journal(api.tenant))]
    writer.join()
    assert operations == ["token", "getClassification", "getClassification"], operations
