"""Areas that register themselves: a toy area, declared in this file only, is served (with two
path parameters and a declared paging), fuzzed, seeded, shown in the state and the journal, kept
in snapshots, and its due work happens in time order with the risk area's, without a line of the
core changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from emulator import Settings, create_app, resources
from emulator.areas import Area, Event, ModelPart, Operations, SnapshotPart, discover
from emulator.clock import format_instant, parse_instant
from emulator.errors import NotFoundError
from emulator.gateway import Answer, Call
from emulator.risks import rules as risks
from emulator.store import all_migrations
from emulator.wire import envelope, format_amount, format_date, parse_date
from emulator.world import Contract, World, contract

ROOT = resources.OPENAPI_PATH.as_uri()
STANDARD = "10100000001"
NEXT = max(all_migrations(discover().migrations())) + 1  # the toy's migration comes after every shipped one


def document() -> dict:
    def ref(name: str) -> dict:
        return {"$ref": f"{ROOT}#/components/{name}"}

    box = {"type": "object", "additionalProperties": False, "required": ["boxNo", "label", "state"],
           "properties": {name: {"type": "string"} for name in ("boxNo", "label", "state", "packed", "peeked", "opened")}}
    answers = {"400": ref("responses/BusinessError"), "401": ref("responses/GatewayError"),
               "404": ref("responses/SandboxNotFound")}
    one = {"200": {"description": "A box.", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"error": ref("schemas/ErrorBlock"), "client": {"type": "object"}, "box": box}}}}}}
    return {
        "tags": [{"name": "Toys"}],
        "paths": {
            "/toys/v1/contracts/{contractNo}/boxes": {
                "parameters": [ref("parameters/contractNo")],
                "get": {"operationId": "listBoxes", "security": [{"oauth": ["read"]}],
                        "x-cesce-paging": {"cursor": "initialValue", "next": "client.initialValue", "last": "",
                                           "entity": "box", "size": 2},
                        "parameters": [{"name": "initialValue", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]*$"}}],
                        "responses": {"200": {"description": "A page of boxes."}, **answers}},
                "post": {"operationId": "packBox", "security": [{"oauth": ["create"]}],
                         "requestBody": {"content": {"application/json": {"schema": {
                             "type": "object", "required": ["box"], "additionalProperties": False,
                             "properties": {"client": ref("schemas/Client"), "box": {
                                 "type": "object", "required": ["label"], "additionalProperties": False,
                                 "properties": {"label": {"type": "string", "minLength": 1, "maxLength": 20}}}}}}}},
                         "responses": {"201": one["200"], **answers}},
            },
            "/toys/v1/contracts/{contractNo}/boxes/{boxNo}": {
                "parameters": [ref("parameters/contractNo"),
                               {"name": "boxNo", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,3}$"}}],
                "get": {"operationId": "getBox", "security": [{"oauth": ["read"]}], "responses": {**one, **answers}},
            },
        },
    }


# -- the toy area: boxes packed, peeked into three days later and opened on the tenth -------------

operations = Operations()


class NoBox(NotFoundError):
    key = "no_limit"  # a text of mocks/codes/errors.yaml; an area of its own would bring its own


def _box(row: dict) -> dict:
    return {"boxNo": str(row["box_no"]), "label": row["label"], "state": row["state"], "packed": format_date(row["packed"]),
            "peeked": row["peeked"] or "", "opened": row["opened"] or ""}


def pack(world: World, contract_no: str, label: str) -> dict:
    number = world.tx.take_number(world.tenant, contract_no, "box")
    world.tx.insert("toy_boxes", [{"tenant": world.tenant, "contract_no": contract_no, "box_no": number, "label": label,
                                   "state": "packed", "packed": world.today}])
    world.schedule(world.now + timedelta(days=3), "toys", contract_no, f"peek:{number}")
    world.schedule(world.now + timedelta(days=10), "toys", contract_no, f"open:{number}")
    return find(world, contract_no, number)


def find(world: World, contract_no: str, number: int) -> dict:
    row = world.tx.one("toy_boxes", "SELECT * FROM toy_boxes WHERE tenant = ? AND contract_no = ? AND box_no = ?",
                       world.tenant, contract_no, number)
    if row is None:
        raise NoBox()
    return _box(row)


def due(world: World, contract_no: str, ref: str) -> None:
    """What the box sees, at its own moment: debtor 106's limit in the risk area, then."""
    what, number = ref.split(":")
    seen = risks.find_debtor(world, STANDARD, risks.Identifiers(endorsement_no=106)).credit_limit_granted
    saw = f"{format_date(world.today)} {format_amount(seen)}"
    changes = {"peeked": saw} if what == "peek" else {"opened": saw, "state": "open"}
    world.tx.update("toy_boxes", {"tenant": world.tenant, "contract_no": contract_no, "box_no": int(number)}, changes)


@operations("packBox")
def pack_box(call: Call) -> Answer:
    contract(call.world, call.contract_no)
    return Answer(201, envelope(call.client(), box=pack(call.world, call.contract_no, call.body["box"]["label"])))


@operations("getBox")
def get_box(call: Call) -> Answer:
    contract(call.world, call.contract_no)
    return Answer(200, envelope(call.client(), box=find(call.world, call.contract_no, int(call.params["boxNo"]))))


@operations("listBoxes")
def list_boxes(call: Call) -> Answer:
    contract(call.world, call.contract_no)
    start = int(call.cursor or 1)
    rows = call.world.tx.all("toy_boxes", "SELECT * FROM toy_boxes WHERE tenant = ? AND contract_no = ? AND box_no >= ?"
                             " ORDER BY box_no LIMIT ?", call.world.tenant, call.contract_no, start, call.size + 1)
    following = str(rows[call.size]["box_no"]) if len(rows) > call.size else None
    return call.page([_box(row) for row in rows[:call.size]], following)


def seed(world: World, current: Contract, doc: dict) -> None:
    for box in doc.get("boxes", []):
        pack(world, current.contract_no, box["label"])


def state(world: World, contract_no: str) -> dict:
    rows = world.tx.all("toy_boxes", "SELECT * FROM toy_boxes WHERE tenant = ? AND contract_no = ? ORDER BY box_no",
                        world.tenant, contract_no)
    return {"boxes": [_box(row) for row in rows]}


def heard(world: World, contract_no: str, ref: str) -> None:
    """A reaction to the risk area's announcements: what changed, and when it was heard."""
    world.tx.insert("toy_heard", [{"tenant": world.tenant, "contract_no": contract_no, "ref": ref, "at": world.now}])


def restore(world: World, contract_no: str, part: dict) -> None:
    """The inverse of ``state``: what a snapshot gives back of the contract's boxes."""
    world.tx.insert("toy_boxes", [{"tenant": world.tenant, "contract_no": contract_no, "box_no": int(box["boxNo"]),
                                   "label": box["label"], "state": box["state"], "packed": parse_date(box["packed"]),
                                   "peeked": box["peeked"] or None, "opened": box["opened"] or None}
                                  for box in part["boxes"]])


def heard_view(world: World) -> dict:
    """What the toy heard, of the tenant as a whole: no state view shows it, a snapshot keeps it."""
    rows = world.tx.all("toy_heard", "SELECT * FROM toy_heard WHERE tenant = ? ORDER BY at", world.tenant)
    return {"heard": [{"contractNo": row["contract_no"], "ref": row["ref"], "at": format_instant(row["at"])} for row in rows]}


def restore_heard(world: World, part: dict, taken_of: str) -> None:
    world.tx.insert("toy_heard", [{"tenant": world.tenant, "contract_no": item["contractNo"], "ref": item["ref"],
                                   "at": parse_instant(item["at"])} for item in part["heard"]])


def open_now(world: World, event: dict) -> list[dict]:
    due(world, event["contractNo"], f"open:{event['boxNo']}")
    world.tx.unschedule(world.tenant, event["contractNo"], "toys", f"open:{event['boxNo']}")
    return [find(world, event["contractNo"], int(event["boxNo"]))]


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Area:
    folder = tmp_path_factory.mktemp("toys")
    (folder / "openapi.yaml").write_text(yaml.safe_dump(document()))
    (folder / "model.yaml").write_text(yaml.safe_dump({"$defs": {"contract": {
        "type": "object", "additionalProperties": False,
        "properties": {"boxes": {"type": "array", "items": {"type": "object", "required": ["label"]}}}}}}))
    return Area(
        name="toys",
        document=folder / "openapi.yaml",
        operations=operations,
        requires=("risks",),
        model=ModelPart(schema=folder / "model.yaml"),
        seed=seed,
        due=due,
        state=state,
        events={"open-box": Event({"type": "object", "required": ["contractNo", "boxNo"],
                                   "properties": {"contractNo": {"type": "string"}, "boxNo": {"type": "string"}}}, open_now)},
        journal_fields={"box": ("boxNo", "state")},
        reactions={risks.LIMIT_CHANGED: heard},
        snapshot=SnapshotPart(keys=("boxes",), restore=restore, tenant_keys=("heard",), tenant=heard_view,
                              restore_tenant=restore_heard),
        migrations={NEXT: "CREATE TABLE toy_boxes (tenant TEXT NOT NULL, contract_no TEXT NOT NULL, box_no INTEGER NOT NULL,"
                          " label TEXT NOT NULL, state TEXT NOT NULL, packed DATE NOT NULL, peeked TEXT, opened TEXT,"
                          " PRIMARY KEY (tenant, contract_no, box_no));"
                          " CREATE TABLE toy_heard (tenant TEXT NOT NULL, contract_no TEXT NOT NULL, ref TEXT NOT NULL,"
                          " at INSTANT NOT NULL);"},
    )


@pytest.fixture
def toys(toy, tmp_path):
    app = create_app(Settings(state=str(tmp_path / "toys.sqlite3")), discover().with_(toy))
    yield app
    app.extensions["cesce"].store.close()


def _api(app, tenant="toy-tenant"):
    client = app.test_client()
    token = client.post("/dev/oauth2/v1/token", data={"grant_type": "password", "client_id": tenant, "client_secret": "s",
                                                      "username": "u", "password": "p"}).json["access_token"]
    return client, {"Authorization": f"Bearer {token}"}


BOXES = f"/dev/toys/v1/contracts/{STANDARD}/boxes"


def test_a_toy_area_is_served_with_two_path_parameters(toys):
    client, headers = _api(toys)
    packed = client.post(BOXES, json={"box": {"label": "first"}}, headers=headers)
    assert (packed.status_code, packed.json["box"]["boxNo"], packed.json["box"]["state"]) == (201, "1", "packed")
    read = client.get(f"{BOXES}/1", headers=headers)
    assert (read.status_code, read.json["box"]["label"]) == (200, "first")
    assert client.get(f"/cesceapiconnect{BOXES}/1", headers=headers).status_code == 200
    malformed = client.get(f"{BOXES}/abc", headers=headers)
    assert (malformed.status_code, malformed.json["error"]["errorCode"]) == (400, "1003")
    assert "boxNo" in malformed.json["error"]["errorDescription"]
    assert client.get(f"/dev/toys/v1/contracts/1x/boxes/1", headers=headers).json["error"]["errorCode"] == "1006"
    assert client.get(f"{BOXES}/9", headers=headers).json["error"]["errorCode"] == "2001"
    document = yaml.safe_load(client.get("/_emulator/openapi.yaml").get_data(as_text=True))
    assert "/toys/v1/contracts/{contractNo}/boxes/{boxNo}" in document["paths"]


def test_a_toy_list_pages_as_its_declaration_says(toys):
    client, headers = _api(toys)
    for index in range(5):
        client.post(BOXES, json={"box": {"label": f"box {index}"}}, headers=headers)
    seen, cursor, cursors = [], None, []
    while True:
        page = client.get(BOXES, query_string={"initialValue": cursor} if cursor else {}, headers=headers).json
        seen += [box["boxNo"] for box in page["box"]]
        cursor = page["client"]["initialValue"]
        cursors.append(cursor)
        if cursor == "":
            break
    assert (seen, cursors) == (["1", "2", "3", "4", "5"], ["3", "5", ""])
    entries = client.get("/_emulator/journal?client_id=toy-tenant").json["entries"]
    assert [e["response"].get("next") for e in entries if e["operation"] == "listBoxes"] == ["3", "5", ""]


def test_a_toy_area_is_seeded_and_shown_in_state_and_journal(toys):
    client, headers = _api(toys)
    seeded = client.post("/_emulator/scenarios?client_id=toy-tenant",
                         json={"contracts": [{"contractNo": "30000000009", "boxes": [{"label": "from a scenario"}]}]})
    assert seeded.status_code == 200, seeded.json
    state = client.get("/_emulator/state?client_id=toy-tenant&contractNo=30000000009").json
    [seeded_contract] = state["contracts"]
    assert [box["label"] for box in seeded_contract["boxes"]] == ["from a scenario"]
    assert seeded_contract["debtors"] == []  # the risk area's part of the same contract
    client.post(f"/dev/toys/v1/contracts/30000000009/boxes", json={"box": {"label": "second"}}, headers=headers)
    entry = client.get("/_emulator/journal?client_id=toy-tenant").json["entries"][-1]
    assert (entry["operation"], entry["status"], entry["response"]["box"]) == ("packBox", 201, {"boxNo": "2", "state": "packed"})
    refused = client.post("/_emulator/scenarios?client_id=toy-tenant",
                          json={"contracts": [{"contractNo": "30000000009", "boxes": "not a list"}]})
    assert refused.status_code == 400 and "contracts/0/boxes" in refused.json["error"]


def test_a_toy_area_has_its_own_cesce_side_event(toys):
    client, headers = _api(toys)
    client.post(BOXES, json={"box": {"label": "early"}}, headers=headers)
    opened = client.post("/_emulator/events?client_id=toy-tenant", json={"type": "open-box", "contractNo": STANDARD, "boxNo": "1"})
    assert opened.status_code == 200 and opened.json["results"][0]["state"] == "open"


def test_a_toy_area_is_fuzzed_with_the_rest(toys, fuzzer):
    fuzzer(toys, examples=150)


def test_a_long_clock_jump_applies_due_work_of_two_areas_in_time_order(toys):
    client = toys.test_client()
    client.post("/_emulator/clock?client_id=toy-tenant", json={"set": "2026-01-15T09:00:00Z", "freeze": True})
    client, headers = _api(toys)
    # Debtor 106's 300001 request (150000,00) is decided by the committee on 2026-01-21 (risks);
    # the box is peeked into on the 18th and opened on the 25th (toys).
    client.post(BOXES, json={"box": {"label": "watching 106"}}, headers=headers)
    client.post("/_emulator/clock?client_id=toy-tenant", json={"advance": "P30D"})
    client, headers = _api(toys)
    box = client.get(f"{BOXES}/1", headers=headers).json["box"]
    assert (box["peeked"], box["opened"], box["state"]) == ("20260118 50000,00", "20260125 112500,00", "open")
    decided = client.get(f"/dev/classifications/v1/contracts/{STANDARD}/classifications?endorsementNo=106", headers=headers)
    assert decided.json["debtor"]["classificationDate"] == "20260121"
    moved = client.get(f"/dev/portfolio-movements/v1/contracts/{STANDARD}/movements", headers=headers).json["debtor"]
    assert moved is None  # every change happened weeks ago, at its own moment
    # The toy heard each decision the risk area announced, at the decision's own instant.
    store = toys.extensions["cesce"].store
    with store.transaction(rollback=True) as tx:
        heard_106 = tx.all("toy_heard", "SELECT * FROM toy_heard WHERE tenant = ? AND ref = '106'", "toy-tenant")
    assert [row["at"].isoformat() for row in heard_106] == ["2026-01-21T09:00:00+00:00"]


def test_every_shipped_area_declares_its_part_once():
    areas = discover()
    assert list(areas)[:2] == ["auth", "risks"]  # an area comes after those it requires
    assert all(Path(area.document).is_file() for area in areas.values() if area.document)


def test_a_toy_areas_records_come_back_from_a_snapshot_and_their_due_work_keeps_its_order(toy, toys, tmp_path):
    toys.test_client().post("/_emulator/clock?client_id=toy-tenant", json={"set": "2026-01-15T09:00:00Z", "freeze": True})
    client, headers = _api(toys)
    client.post(BOXES, json={"box": {"label": "watching 106"}}, headers=headers)
    client.post("/_emulator/events?client_id=toy-tenant", json={"type": "reduce", "contractNo": STANDARD,
                                                                "endorsementNo": "104", "amount": "1000,00"})
    snapshot = client.get("/_emulator/state?client_id=toy-tenant").json
    assert snapshot["heard"] and [box["label"] for box in snapshot["contracts"][0]["boxes"]] == ["watching 106"]
    assert {row["area"] for row in snapshot["due"]} >= {"risks", "toys"}

    other = create_app(Settings(state=str(tmp_path / "other.sqlite3")), discover().with_(toy))
    try:
        copied = other.test_client()
        assert copied.put("/_emulator/state?client_id=toy-tenant", json=snapshot).status_code == 200
        assert copied.get("/_emulator/state?client_id=toy-tenant").json == snapshot
        for each in (client, copied):
            each.post("/_emulator/clock?client_id=toy-tenant", json={"advance": "P30D"})
        after = [each.get("/_emulator/state?client_id=toy-tenant").json for each in (client, copied)]
        assert after[0] == after[1]
        assert after[1]["contracts"][0]["boxes"][0]["opened"] == "20260125 112500,00"  # after the committee, as before
    finally:
        other.extensions["cesce"].store.close()


def test_a_snapshot_made_before_an_area_existed_is_brought_forward(toys, app):
    plain = app.test_client()
    plain.post("/_emulator/scenarios/guide-pending-example?client_id=old", json={})
    snapshot = plain.get("/_emulator/state?client_id=old").json
    assert "toys" not in snapshot["areas"] and snapshot["snapshot"] == NEXT - 1

    client = toys.test_client()
    restored = client.put("/_emulator/state?client_id=old", json=snapshot)
    assert restored.status_code == 200, restored.json  # migration NEXT is the toy's: nothing of it to bring
    state = client.get("/_emulator/state?client_id=old").json
    assert state["snapshot"] == NEXT and state["heard"] == [] and all(c["boxes"] == [] for c in state["contracts"])
    without_boxes = [{key: value for key, value in c.items() if key != "boxes"} for c in state["contracts"]]
    assert {**state, "snapshot": NEXT - 1, "areas": snapshot["areas"], "contracts": without_boxes,
            "heard": []} == {**snapshot, "heard": []}

    refused = plain.put("/_emulator/state?client_id=old", json=state)
    assert refused.status_code == 400 and f"made by schema version {NEXT}, a newer cesce-sandbox" in refused.json["error"]
