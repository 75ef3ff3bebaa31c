"""A tenant's own settings (/_emulator/settings): its page size, and lists whose full last page
is followed by an empty one, as Cesce's real lists were seen to end."""

from __future__ import annotations

import pytest

STANDARD = "10100000001"  # 18 records in the Sandbox Model


def test_a_tenant_pages_by_its_own_page_size_and_others_do_not(api, client):
    other = type(api)(client, f"{api.tenant}-other")

    answer = api.operator("POST", "settings", {"pageSize": 5})

    assert answer == {"tenant": api.tenant, "pageSize": 5, "emptyPageAfterFull": False}
    assert [len(page) for page in api.pages("portfolio", STANDARD)] == [5, 5, 5, 3]
    assert [len(page) for page in other.pages("portfolio", STANDARD)] == [18]


def test_null_gives_the_page_size_back_to_the_emulator(api):
    api.operator("POST", "settings", {"pageSize": 5})

    assert api.operator("POST", "settings", {"pageSize": None})["pageSize"] is None
    assert [len(page) for page in api.pages("portfolio", STANDARD)] == [18]


def test_a_full_last_page_can_point_to_an_empty_page(api):
    api.operator("POST", "settings", {"pageSize": 6, "emptyPageAfterFull": True})

    pages = api.pages("portfolio", STANDARD)
    last = api.portfolio(STANDARD, nextEndorsementNo=str(int(pages[2][-1]["endorsementNo"]) + 1)).json

    assert [len(page) for page in pages] == [6, 6, 6, 0]
    assert last["debtor"] is None and last["client"]["nextEndorsementNo"] == "0"


def test_a_page_that_is_not_full_still_says_it_is_the_last(api):
    api.operator("POST", "settings", {"pageSize": 5, "emptyPageAfterFull": True})

    assert [len(page) for page in api.pages("portfolio", STANDARD)] == [5, 5, 5, 3]


def test_reset_forgets_a_tenants_settings(api):
    api.operator("POST", "settings", {"pageSize": 5, "emptyPageAfterFull": True})

    api.operator("POST", "reset")

    assert api.operator("GET", "settings") == {"tenant": api.tenant, "pageSize": None, "emptyPageAfterFull": False}


@pytest.mark.parametrize("body", [{}, {"pageSize": 0}, {"pageSize": "5"}, {"pageSize": 100001}, {"colour": "red"},
                                  {"emptyPageAfterFull": "yes"}])
def test_bad_settings_are_400s(api, body):
    answer = api.client.post("/_emulator/settings", json=body, query_string={"client_id": api.tenant})

    assert answer.status_code == 400 and answer.json["error"]
