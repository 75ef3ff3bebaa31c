"""Snapshots of a tenant's whole world (GET and PUT /_emulator/state): a world rich in every kind
of record, taken from one emulator and restored into a fresh one (under the same client id and
under another), answers every read a client and an operator can make as the first does, now
and after a clock jump; snapshots of another version, or malformed, are refused with the place
and leave the world as it was."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from emulator import Settings, clock, create_app
from emulator.admin.snapshots import schema_version
from emulator.areas import discover

STANDARD, PPC, LARGE = "10100000001", "10200000002", "20000000009"
#: The machine's time while a test runs: still, unless the test moves it, so that a ticking
#: tenant clock is as repeatable as a frozen one.
MACHINE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLASSIFICATIONS = f"classifications/v1/contracts/{STANDARD}/classifications"


@pytest.fixture
def machine(monkeypatch) -> list[datetime]:
    now = [MACHINE]
    monkeypatch.setattr(clock, "system_now", lambda: now[0])
    return now


@pytest.fixture
def emulator(tenant_api):
    """``emulator()``: a fresh in-memory emulator, whose ``tenant(client_id)`` is an Api."""
    apps = []

    class Emulator:
        def __init__(self) -> None:
            apps.append(create_app(Settings()))
            self.client = apps[-1].test_client()

        def tenant(self, client_id: str):
            return tenant_api(self.client, client_id)

    yield Emulator
    for app in apps:
        app.extensions["cesce"].store.close()


def build(api, frozen: bool, large: bool = True) -> dict:
    """A world with every kind of record: a clock set (frozen or ticking), tokens (one pair
    expired, one refresh token used), granted, rejected and pending new debtors, 300xxx pairs,
    decisions due, Cesce-side changes, a non-canonical request in the journal, a generated
    contract of 1,500 debtors (300 of them pending; 5 unless ``large``) and faults waiting to
    fire. Returns the tokens a client of it holds."""
    api.operator("POST", "clock", {"set": "2026-01-15T09:00:00Z", "freeze": frozen})
    first = api.token().json
    used = api.token().json
    assert api.token(grant_type="refresh_token", refresh_token=used["refresh_token"]).status_code == 200
    api.seed({"contracts": [{"contractNo": LARGE, "policy": "standard", "generate": [
        {"count": 1200 if large else 3, "countryCode": "ES", "taxCode": "B8{index:07d}", "companyName": "DEUDOR {index:05d} SL",
         "customerReference": "G{index:05d}", "status": "in-force", "requested": "15000,00", "since": "-P3D"},
        {"count": 300 if large else 2, "countryCode": "PT", "taxCode": "5{index:08d}", "status": "pending",
         "decision": "pending-committee", "requested": "40000,00", "since": "-P1D", "resolveIn": "P5D"},
    ]}]})
    api._token = first["access_token"]
    for debtor in ({"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "30000,00"},
                   {"countryCode": "ES", "taxCode": "B20000005", "customerReference": "NEW-5",
                    "creditLimitRequested": "20000,00"},
                   {"countryCode": "ES", "taxCode": "B20000003", "creditLimitRequested": "10000,00"},
                   {"customerReference": "CLI-0100", "creditLimitRequested": "100000,00"},
                   {"countryCode": "ES", "taxCode": "B77000001", "creditLimitRequested": "1234.5"}):
        assert api.classify(STANDARD, debtor).status_code in (200, 201)
    api.operator("POST", "events", [{"type": "reduce", "contractNo": STANDARD, "endorsementNo": "110", "amount": "10000,00"},
                                    {"type": "cancel", "contractNo": STANDARD, "endorsementNo": "107"},
                                    {"type": "resolve", "contractNo": STANDARD, "endorsementNo": "105", "decision": "grant"}])
    api.advance("PT3H")  # the first access token has expired
    held = api.token().json
    api.operator("POST", "faults", {"operation": "getPortfolio", "status": 503, "skip": 3, "times": 2, "retryAfter": 1})
    api.operator("POST", "faults", {"operation": "getClassification", "advanceClock": "PT20M", "skip": 12})
    return {"expired": first["access_token"], "access": held["access_token"], "refresh": held["refresh_token"],
            "used": used["refresh_token"]}


def put(api, snapshot, **options):
    """PUT /_emulator/state of the tenant: a document, or text as it is."""
    # Text as a user's file holds it: the test client's own JSON would sort the keys.
    data = snapshot if isinstance(snapshot, str) else json.dumps(snapshot)
    options.setdefault("content_type", "application/json")  # the operator surface takes JSON (or YAML) only
    return api.client.put("/_emulator/state", query_string={"client_id": api.tenant}, data=data, **options)


def reads(api, token: str, snapshot: dict, dashboard: bool = True) -> list:
    """Every read a client and an operator can make of the world, in order: each contract's
    portfolio and movements pages, each record of the standard contract queried the three ways,
    each of its sales, each contract's sales list and the sales that moved, a read with an
    expired token, the state, its view of each contract, the clock, the faults,
    the journal and the dashboard."""
    client, tenant, seen = api.client, api.tenant, []

    def read(path: str, **query: str):
        answer = api.get(path, token=token, **query)
        seen.append((path, query, answer.status_code, answer.json))
        return answer

    for contract in snapshot["contracts"]:
        number = contract["contractNo"]
        for path in (f"portfolio/v1/contracts/{number}/portfolio", f"portfolio-movements/v1/contracts/{number}/movements"):
            cursor, tries = None, 0
            while tries < 20:
                tries += 1
                answer = read(path, **({"nextEndorsementNo": cursor} if cursor else {}))
                if answer.status_code == 200:
                    cursor = answer.json["client"]["nextEndorsementNo"]
                    if cursor == "0":
                        break
    standard = next(c for c in snapshot["contracts"] if c["contractNo"] == STANDARD)
    for record in standard["debtors"]:
        read(CLASSIFICATIONS, endorsementNo=record["endorsementNo"])
        if record["customerReference"]:
            read(CLASSIFICATIONS, customerReference=record["customerReference"])
        read(CLASSIFICATIONS, countryCode=record["countryCode"], taxCode=record["taxCode"])
    for sale in standard.get("sales", []):
        read(f"sales/v1/contracts/{STANDARD}/sale", saleCesceReferenceNo=sale["saleCesceReferenceNo"])
    for contract in snapshot["contracts"]:
        cursor, tries = None, 0
        while tries < 20:  # every page of each contract's sales list, and of its sales that moved
            tries += 1
            answer = read(f"sales/v1/contracts/{contract['contractNo']}/sales", **({"initialValue": cursor} if cursor else {}))
            cursor = answer.json["client"].get("initialValue") if answer.status_code == 200 else None
            if not cursor:
                break
        read(f"sales/v1/contracts/{contract['contractNo']}/sales", movementsInd="Y")
    seen.append(api.get(CLASSIFICATIONS, token="not-a-token", endorsementNo="100").json)
    for operator in ("state", f"state?contractNo={STANDARD}", f"state?contractNo={LARGE}", "clock", "faults", "journal"):
        path, _, query = operator.partition("?")
        seen.append((operator, client.get(f"/_emulator/{path}", query_string=f"client_id={tenant}&{query}").json))
    if dashboard:  # the slowest read by far: what it shows is the state and the journal read above
        seen.append(client.get("/_emulator/ui", query_string={"client_id": tenant}).get_data(as_text=True))
    return seen


def same(first: list, second: list) -> None:
    assert len(first) == len(second)
    for one, other in zip(first, second):
        assert one == other


def masked(value, tenants: tuple[str, str] = ("", "")):
    """A read with what differs by design between two emulators' tokens taken out: the token
    values a token endpoint issued afresh, the references the journal keeps of them, and the
    client id when the world came back under another."""
    if isinstance(value, str):
        return value.replace(*tenants) if tenants[0] else value
    if isinstance(value, tuple):
        return tuple(masked(item, tenants) for item in value)
    if isinstance(value, list):
        return [masked(item, tenants) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("tokens", "access_token", "refresh_token", "consented_on") or (key == "token" and item):
                out[key] = "*"
            else:
                out[key] = masked(item, tenants)
        return out
    return value


def state(api, **query: str) -> dict:
    return api.operator("GET", "state", **query)


@pytest.mark.parametrize("frozen", [True, False], ids=["frozen", "ticking"])
def test_a_world_restored_into_a_fresh_emulator_answers_every_read_as_before(machine, emulator, frozen):
    source, restored = emulator().tenant("erp"), emulator().tenant("erp")
    tokens = build(source, frozen)
    snapshot = state(source)
    assert {"tokens", "due", "faults", "journal", "bornAt"} <= set(snapshot) and snapshot["frozen"] is frozen
    assert len(snapshot["due"]) > 300 and len(snapshot["faults"]) == 2 and len(snapshot["tokens"]) == 8
    assert len(snapshot["journal"]) == 9 and [e["findings"] for e in snapshot["journal"] if e["findings"]]

    answer = put(restored, snapshot)
    assert answer.status_code == 200, answer.json
    assert answer.json["contracts"] == [c["contractNo"] for c in snapshot["contracts"]]
    assert state(restored) == snapshot
    both = (source, restored)

    # Every read with the client's token (the journal read last holds the reads before it);
    # the faults fire on the same requests on both sides.
    same(reads(source, tokens["access"], snapshot), reads(restored, tokens["access"], snapshot))
    expired = [api.get(CLASSIFICATIONS, token=tokens["expired"], endorsementNo="100") for api in both]
    assert expired[0].status_code == 401 and expired[0].json == expired[1].json

    # The client's refresh token works once on either side; the one it used before stays used.
    for api in both:
        assert api.token(grant_type="refresh_token", refresh_token=tokens["refresh"]).status_code == 200
        again = api.token(grant_type="refresh_token", refresh_token=tokens["refresh"])
        used = api.token(grant_type="refresh_token", refresh_token=tokens["used"])
        assert (again.status_code, again.json["error_description"]) == (400, "the refresh token was already used")
        assert used.json["error_description"] == "the refresh token was already used"

    # A month later: the committee decides what was pending, each at its own moment, on both
    # sides; and the numberings go on where they were.
    for api in both:
        api.advance("P30D")
    later = [reads(api, api.bearer, snapshot, dashboard=False) for api in both]
    same(masked(later[0]), masked(later[1]))
    decided = state(restored)
    # Only the claims dossiers' closings (the recovery period after their payments) and Cesce's own
    # recoveries (45 days after their openings) are still to come.
    assert all(row["area"] == "claims" and row["ref"].startswith(("close:", "recover:")) for row in decided["due"])
    assert all(d["resolveAt"] is None for c in decided["contracts"] for d in c["debtors"])
    for debtor in ({"countryCode": "ES", "taxCode": "B20000009", "creditLimitRequested": "5000,00"},
                   {"customerReference": "CLI-0101", "creditLimitRequested": "90000,00"}):
        one, other = (api.classify(STANDARD, debtor) for api in both)
        assert (one.status_code, one.json) == (other.status_code, other.json)
    assert one.json["debtor"]["endorsementNo"].startswith("3000")



def test_a_world_exported_from_sqlite_answers_every_read_identically_on_postgresql(machine, tmp_path,
                                                                                   postgresql_schema, tenant_api):
    apps = [create_app(Settings(state=str(tmp_path / "state.sqlite3"))), create_app(Settings(state=postgresql_schema))]
    try:
        source, restored = (tenant_api(app.test_client(), "erp") for app in apps)
        assert [app.extensions["cesce"].store.kind for app in apps] == ["sqlite", "postgresql"]
        tokens = build(source, frozen=True)
        snapshot = state(source)
        assert put(restored, snapshot).status_code == 200
        assert state(restored) == snapshot
        same(reads(source, tokens["access"], snapshot), reads(restored, tokens["access"], snapshot))
        for api in (source, restored):
            api.advance("P30D")
        same(masked(reads(source, source.bearer, snapshot, dashboard=False)),
             masked(reads(restored, restored.bearer, snapshot, dashboard=False)))
    finally:
        for app in apps:
            app.extensions["cesce"].store.close()

def test_a_world_restored_under_another_client_id_answers_as_before_with_its_own_tokens(machine, emulator):
    source, copied = emulator().tenant("erp"), emulator().tenant("copy")
    tokens = build(source, frozen=True)
    snapshot = state(source)
    assert put(copied, snapshot).status_code == 200
    assert state(copied)["tokens"] == []

    # The copy's client takes its own token, as the first client takes a new one.
    same(masked(reads(source, source.bearer, snapshot)), masked(reads(copied, copied.bearer, snapshot), ("copy", "erp")))
    for api in (source, copied):
        api.advance("P30D")
    same(masked(reads(source, source.bearer, snapshot)), masked(reads(copied, copied.bearer, snapshot), ("copy", "erp")))

    # The first client's tokens were its own: they do not serve the copy.
    assert copied.get(CLASSIFICATIONS, token=tokens["access"], endorsementNo="100").status_code == 401
    refused = copied.token(grant_type="refresh_token", refresh_token=tokens["refresh"])
    assert (refused.json["error"], refused.json["error_description"]) == (
        "invalid_grant", "the refresh token is not valid for this client")


def test_a_world_restored_beside_other_tenants_leaves_them_alone_and_keeps_its_journal_in_order(machine, emulator):
    made = emulator()
    source, neighbour, twin = made.tenant("erp"), made.tenant("neighbour"), made.tenant("twin")
    build(source, frozen=True)
    snapshot = state(source)
    neighbour.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "1000,00"})
    before = state(neighbour)

    assert put(twin, snapshot).status_code == 200
    copied = state(twin)
    assert state(neighbour) == before
    # The journal's ids are the first world's; here they are taken, so the twin's entries are
    # numbered anew after them, in the same order.
    ids = [entry["id"] for entry in copied["journal"]]
    assert ids == sorted(ids) and ids[0] > max(entry["id"] for entry in before["journal"])
    assert masked(copied, ("twin", "erp")) == masked({**snapshot, "journal": copied["journal"], "faults": copied["faults"]})
    assert [{**e, "id": 0} for e in copied["journal"]] == [{**e, "id": 0} for e in snapshot["journal"]]
    assert [{**f, "id": 0} for f in copied["faults"]] == [{**f, "id": 0} for f in snapshot["faults"]]

    # Restored over itself, a world is the same world: its own ids are free again.
    assert put(source, snapshot).status_code == 200
    assert state(source) == snapshot


def test_a_ticking_world_resumes_at_the_instant_it_was_taken(machine, emulator):
    source, restored = emulator().tenant("erp"), emulator().tenant("erp")
    tokens = build(source, frozen=False)
    snapshot = state(source)
    machine[0] += timedelta(days=40)  # the snapshot waits on a shelf
    assert put(restored, snapshot).status_code == 200
    assert restored.operator("GET", "clock") == {"tenant": "erp", "now": snapshot["now"], "frozen": False}
    assert restored.get(CLASSIFICATIONS, token=tokens["access"], endorsementNo="100").status_code == 200
    machine[0] += timedelta(minutes=90)
    now = restored.operator("GET", "clock")["now"]
    assert datetime.fromisoformat(now) - datetime.fromisoformat(snapshot["now"]) == timedelta(minutes=90)


def test_a_snapshot_round_trips_through_yaml(machine, emulator):
    source, restored = emulator().tenant("erp"), emulator().tenant("erp")
    build(source, frozen=True, large=False)
    text = source.client.get("/_emulator/state", query_string={"client_id": "erp", "format": "yaml"})
    assert text.mimetype == "application/yaml"
    snapshot = state(source)
    reader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert yaml.load(text.get_data(as_text=True), Loader=reader) == snapshot  # what any YAML reader reads
    assert put(restored, text.get_data(as_text=True), content_type="application/yaml").status_code == 200
    assert state(restored) == snapshot


# -- what is refused -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tenant_api):
    """An emulator shared by the tests of what is refused, and the snapshot of a small world of
    it: ``small(tenant)`` is the Api of a tenant (new to each test) holding that world."""
    app = create_app(Settings())
    api = tenant_api(app.test_client(), "small")
    api.seed("guide-pending-example")
    api.classify(STANDARD, {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "1000,00"})
    api.operator("POST", "faults", {"status": 503})
    snapshot, names = state(api), itertools.count()

    def holding(tenant: str = "small"):
        restored = tenant_api(api.client, f"{tenant}-{next(names)}")
        assert put(restored, snapshot).status_code == 200
        return restored, copy.deepcopy(snapshot)

    yield holding
    app.extensions["cesce"].store.close()


def _standard(snapshot: dict) -> int:
    return next(i for i, c in enumerate(snapshot["contracts"]) if c["contractNo"] == STANDARD)


LATEST = schema_version(discover())
CORE_MIGRATION = 2  # the platform's: what a snapshot of schema version 1 would mean has changed since


@pytest.mark.parametrize(("change", "error"), [
    (lambda s: s.update(snapshot=LATEST + 1),
     f"snapshot: at snapshot: made by schema version {LATEST + 1}, a newer cesce-sandbox; this release reads snapshots"
     f" up to version {LATEST}"),
    (lambda s: s.update(snapshot=1),
     f"snapshot: at snapshot: made by schema version 1; migration {CORE_MIGRATION} (core) changed what that part of a"
     " world keeps since, so it cannot be brought forward here: import it with the release that made it into a state"
     " file (`cesce-emulator import --state FILE`), serve or export that file with this release (which migrates it),"
     " and export it again"),
    (lambda s: s.pop("snapshot"),
     "snapshot: at snapshot: missing: this is not a snapshot of a whole world (an export of an older release, or the"
     " view of one contract, holds only the clock and the records); take one with GET /_emulator/state or"
     " `cesce-emulator export`"),
    (lambda s: s.update(areas=["auth", "risks", "sureties"]),
     "snapshot: at areas: made with the sureties area, which this emulator does not serve (it serves auth, risks, sales,"
     " claims)"),
])
def test_a_snapshot_of_another_version_is_refused_with_the_reason(small, change, error):
    api, snapshot = small()
    change(snapshot)
    answer = put(api, snapshot)
    assert (answer.status_code, answer.json) == (400, {"error": error})


def _debtor(snapshot: dict, endorsement: str) -> dict:
    return next(d for d in snapshot["contracts"][_standard(snapshot)]["debtors"] if d["endorsementNo"] == endorsement)


@pytest.mark.parametrize(("change", "error"), [
    (lambda s: _debtor(s, "103").update(creditLimitGranted="12.5"),
     "at contracts/{std}/debtors/3: creditLimitGranted: not an amount in the form 1234,56: '12.5'"),
    (lambda s: _debtor(s, "103").update(statusCode="7"),
     "at contracts/{std}/debtors/3: statusCode: '7' is not a code of mocks/codes/risk-statuses.yaml"),
    (lambda s: _debtor(s, "105").update(resolveAt="2030-01-01T00:00:00Z"),
     "at contracts/{std}/debtors/5: resolveAt: 2030-01-01T00:00:00Z, but the due queue has"),
    (lambda s: _debtor(s, "300001").update(pendingOf="99"), "at contracts/{std}/debtors/"),
    (lambda s: _debtor(s, "104").update(endorsementNo="103"), "at contracts/{std}/debtors/4/endorsementNo: 103 is in the contract twice"),
    (lambda s: _debtor(s, "104").update(colour="red"), "at contracts/{std}/debtors/4: colour: not a field of the record"),
    (lambda s: s["contracts"][0]["policy"].update(ppc="maybe"), "at contracts/0/policy/ppc: 'maybe' is not of type 'boolean'"),
    (lambda s: s["contracts"][0].update(gadgets=[]), "at contracts/0: unknown key 'gadgets': no area of this emulator restores it"),
    (lambda s: s["contracts"].append(s["contracts"][0]), "/contractNo: contract 10100000001 is in the snapshot twice"),
    (lambda s: s["due"][0].update(at="next week"), "at due/0/at: not an ISO 8601 instant: 'next week'"),
    (lambda s: s["due"][0].update(contractNo="99"), "at due/0/contractNo: contract 99 is not among the snapshot's"),
    (lambda s: s["journal"][0].pop("status"), "at journal/0: 'status' is a required property"),
    (lambda s: s["faults"][0].update(remaining=0), "at faults/0/remaining: 0 is less than the minimum of 1"),
    (lambda s: s["tokens"][1].update(kind="bearer"), "at tokens/1/kind: 'bearer' is not one of ['access', 'refresh']"),
    (lambda s: s.update(bornAt="2099-01-01T00:00:00Z"), "at bornAt: 2099-01-01T00:00:00Z is after now"),
    (lambda s: s.update(frozen="yes"), "at frozen: 'yes' is not of type 'boolean'"),
])
def test_a_malformed_snapshot_is_a_400_naming_the_place_and_changes_nothing(small, change, error):
    api, snapshot = small()
    before = state(api)
    change(snapshot)
    answer = put(api, snapshot)
    assert answer.status_code == 400
    assert answer.json["error"].startswith("snapshot: ")
    assert error.format(std=_standard(before)) in answer.json["error"]
    assert state(api) == before  # all or nothing


@pytest.mark.parametrize(("body", "error"), [
    ('{"snapshot": 2, "areas": [', "snapshot: not valid JSON at line 1, column 27: Expecting value"),
    ("snapshot: 2\nareas: [auth\n", "snapshot: neither JSON nor valid YAML at line 3, column 1:"),
    ("[1, 2]", "snapshot: a snapshot is an object"),
])
def test_a_snapshot_that_is_not_a_document_is_a_400_naming_the_line(small, body, error):
    answer = put(small()[0], body)
    assert answer.status_code == 400 and answer.json["error"].startswith(error)


def test_a_snapshot_posted_as_a_scenario_says_where_it_goes(small):
    api, snapshot = small()
    posted = {**snapshot, "contracts": snapshot["contracts"][:1]}  # a scenario body is at most 1 MiB
    answer = api.client.post("/_emulator/scenarios", query_string={"client_id": api.tenant}, json=posted)
    assert (answer.status_code, answer.json) == (400, {"error": "this is a snapshot of a whole world, not a scenario:"
                                                                " restore it with PUT /_emulator/state (or `cesce-emulator import`)"})


def test_the_sandbox_world_is_not_replaced(small, tenant_api):
    api, snapshot = small()
    answer = put(tenant_api(api.client, "~sandbox"), snapshot)
    assert answer.status_code == 400 and "sandbox" in answer.json["error"]


def test_the_view_of_one_contract_stays_the_readable_view(small):
    api, _ = small()
    view = state(api, contractNo=STANDARD)
    assert set(view) == {"tenant", "now", "frozen", "contracts"}
    assert set(view["contracts"][0]) == {"contractNo", "policy", "debtors", "sales", "saleCovers", "saleClaims", "dossiers",
                                         "nonPayments", "claimDocuments", "settlements", "recoveries", "processingSteps",
                                         "recoveryProcedures", "claimLimits"}
    assert {"pendingOf", "resolveAt", "changedAt"} <= set(view["contracts"][0]["debtors"][0])


def test_every_shipped_area_keeps_its_records_in_a_snapshot(machine, emulator):
    """An area whose state view shows records declares how a snapshot gives them back: a new
    tenant's world, with every area's part of the Sandbox Model in it, round-trips."""
    made = emulator()
    snapshot = state(made.tenant("fresh"))
    assert put(made.tenant("again"), snapshot).status_code == 200
    assert state(made.tenant("again")) == {**snapshot, "tenant": "again"}
    for area in discover().values():
        if area.state is not None:
            assert area.snapshot is not None and area.snapshot.restore is not None, area.name


def test_a_snapshot_keeps_the_tenants_settings_its_error_path_faults_and_what_cesce_revoked(emulator):
    source = emulator().tenant("erp")
    pair = source.token().json
    source.operator("POST", "settings", {"pageSize": 5, "emptyPageAfterFull": True})
    source.operator("POST", "faults", {"operation": "getPortfolio", "status": 200, "errorCode": "9000", "skip": 1})
    source.operator("POST", "faults", {"operation": "getMovements", "events": [{"type": "revoke-refresh-tokens"}]})
    source.operator("POST", "events", {"type": "revoke-refresh-tokens"})
    snapshot = state(source)

    target = emulator().tenant("erp")
    restored = put(target, snapshot)
    first, failed = target.portfolio(STANDARD), target.portfolio(STANDARD)
    refused = target.token(grant_type="refresh_token", refresh_token=pair["refresh_token"])

    assert restored.status_code == 200, restored.json
    assert snapshot["settings"] == {"pageSize": 5, "emptyPageAfterFull": True}
    assert target.operator("GET", "settings") == {"tenant": "erp", "pageSize": 5, "emptyPageAfterFull": True}
    assert len(first.json["debtor"]) == 5
    assert (failed.status_code, failed.json["error"]["errorCode"]) == (200, "9000")
    assert target.operator("GET", "faults")["faults"][0]["events"] == [{"type": "revoke-refresh-tokens"}]
    assert refused.json == {"error": "invalid_grant", "error_description": "the refresh token was revoked"}


def test_a_snapshot_whose_fault_cannot_answer_is_refused_naming_it(small):
    restored, snapshot = small()
    snapshot["faults"][0].update(status=200)

    answer = put(restored, snapshot)

    assert answer.status_code == 400
    assert "faults/0" in answer.json["error"] and "give errorCode" in answer.json["error"]
