"""The risk rules, called directly (no HTTP): identifier precedence, paging, the automatic
assessment, pending requests and their resolution over time, the movements window."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.history import catch_up
from emulator.risks import rules
from emulator.risks.errors import MissingIdentifier, NoLimit, RequestPending
from emulator.risks.rules import ClassificationRequest, Identifiers
from emulator.sandbox_model import SandboxModel
from emulator.store import Store
from emulator.world import World, apply_scenario

MODEL = SandboxModel()
T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CONTRACT = "30000000001"


@contextmanager
def world_at(now: datetime = T0, debtors: list[dict] | None = None, generate: list[dict] | None = None, store=None):
    store = store or Store()
    with store.transaction() as tx:
        current = World(tx, MODEL, "tenant", now)
        apply_scenario(current, {"contracts": [{"contractNo": CONTRACT, "debtors": debtors or [], "generate": generate or []}]})
        yield current


def debtor(n: int, **extra) -> dict:
    return {"countryCode": "ES", "taxCode": f"B{n:08d}", "customerReference": f"REF-{n}",
            "status": "in-force", "requested": "10000,00", **extra}


def listed(page: rules.Page) -> list[dict]:
    """A page's records as a client reads them."""
    return [json.loads(text) for text in page.encoded]


def ask(amount: str, **ids) -> ClassificationRequest:
    from emulator.wire import parse_amount

    return ClassificationRequest(identifiers=Identifiers(**ids), credit_limit_requested=parse_amount(amount))


# -- identification ---------------------------------------------------------------------------

numbers = st.integers(min_value=0, max_value=4)


@given(by_reference=st.none() | numbers, by_number=st.none() | numbers, by_tax=st.none() | numbers)
def test_the_identifier_that_wins_is_customer_reference_then_endorsement_then_tax_code(by_reference, by_number, by_tax):
    with world_at(debtors=[debtor(n, endorsementNo=str(n + 1)) for n in range(5)]) as current:
        ids = Identifiers(
            customer_reference=None if by_reference is None else f"REF-{by_reference}",
            endorsement_no=None if by_number is None else by_number + 1,
            country_code=None if by_tax is None else "ES",
            tax_code=None if by_tax is None else f"B{by_tax:08d}",
        )
        winner = next((n for n in (by_reference, by_number, by_tax) if n is not None), None)
        if winner is None:
            with pytest.raises(MissingIdentifier):
                rules.find_debtor(current, CONTRACT, ids)
        else:
            assert rules.find_debtor(current, CONTRACT, ids).tax_code == f"B{winner:08d}"


def test_an_identifier_that_matches_nothing_is_no_limit_even_if_a_weaker_one_matches():
    with world_at(debtors=[debtor(1)]) as current:
        with pytest.raises(NoLimit):
            rules.find_debtor(current, CONTRACT, Identifiers(customer_reference="NOBODY", country_code="ES", tax_code="B00000001"))


def test_a_pending_300xxx_request_is_not_found_by_its_own_number():
    seeds = [debtor(1, endorsementNo="100", pendingRequest={"requested": "90000,00"})]
    with world_at(debtors=seeds) as current:
        assert rules.find_debtor(current, CONTRACT, Identifiers(endorsement_no=100)).credit_limit_granted == 1000000
        with pytest.raises(NoLimit):
            rules.find_debtor(current, CONTRACT, Identifiers(endorsement_no=300001))


# -- paging -----------------------------------------------------------------------------------


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(min_value=0, max_value=1200), size=st.integers(min_value=1, max_value=600))
def test_portfolio_pages_chain_by_next_endorsement_no_and_cover_every_record_once(count, size):
    batch = [{"count": count, "countryCode": "ES", "taxCode": "B{index:08d}", "status": "in-force", "requested": "1000,00"}]
    with world_at(generate=batch) as current:
        seen, start, pages = [], 0, 0
        while True:
            page = rules.portfolio(current, CONTRACT, start, size)
            pages += 1
            seen += [int(d["endorsementNo"]) for d in listed(page)]
            assert len(page.encoded) == (size if page.next_endorsement_no else len(page.encoded))
            if page.next_endorsement_no == 0:
                break
            assert page.next_endorsement_no == seen[-1] + 1
            start = page.next_endorsement_no
        assert seen == list(range(1, count + 1))
        assert pages == max(1, -(-count // size))


# -- the automatic assessment -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "ids", "non_payment", "status", "decision", "granted"),
    [
        ("25000,00", {"country_code": "ES", "tax_code": "B99999999"}, None, "2", "01", 2500000),
        ("60000,00", {"country_code": "ES", "tax_code": "B99999999"}, None, "2", "01", 6000000),
        ("60000,01", {"country_code": "ES", "tax_code": "B99999999"}, None, "1", "10", 0),
        ("25000,00", {"country_code": "ES", "tax_code": "B99999999"}, "Y", "1", "13", 0),
        ("30000,00", {"country_code": "ES", "tax_code": "B20000002"}, None, "2", "02", 2000000),
        ("10000,00", {"country_code": "ES", "tax_code": "A20000004"}, None, "66", "21", 0),
        ("10000,00", {"country_code": "ES", "tax_code": "B20000005"}, None, "1", "11", 0),
        ("10000,00", {"country_code": "CU", "tax_code": "CU000000009"}, None, "1", "12", 0),
    ],
    ids=["granted", "at-threshold", "above-threshold", "declared-non-payments", "company-ceiling", "insolvency",
         "new-company", "country-without-data"],
)
def test_a_new_debtor_is_assessed_at_once(amount, ids, non_payment, status, decision, granted):
    with world_at() as current:
        request = ask(amount, **ids)
        if non_payment:
            request = ClassificationRequest(request.identifiers, request.credit_limit_requested,
                                            non_payment_ind="Y", non_payment_amount=100)
        record = rules.classify(current, CONTRACT, request)
        assert (record.status_code, record.classification_decision_code, record.credit_limit_granted) == (status, decision, granted)
        assert record.endorsement_no == 1


def test_endorsement_numbers_are_sequential_per_contract():
    with world_at(debtors=[debtor(1, endorsementNo="41")]) as current:
        first = rules.classify(current, CONTRACT, ask("100,00", country_code="ES", tax_code="B1"))
        second = rules.classify(current, CONTRACT, ask("100,00", country_code="ES", tax_code="B2"))
        assert (first.endorsement_no, second.endorsement_no) == (42, 43)


# -- pending requests over time ---------------------------------------------------------------


def test_the_guides_example_merges_the_300xxx_request_into_the_endorsement():
    seeds = [debtor(1, endorsementNo="100", requested="50000,00", since="2024-03-01T10:00:00Z")]
    store = Store()
    with world_at(debtors=seeds, store=store) as current:
        pending = rules.classify(current, CONTRACT, ask("100000,00", endorsement_no=100))
        assert (pending.endorsement_no, pending.status_code, pending.pending_of) == (300001, "1", 100)
        records = listed(rules.portfolio(current, CONTRACT, 0, 500))
        assert [(d["endorsementNo"], d["creditLimitGranted"]) for d in records] == [("100", "50000,00"), ("300001", "0,00")]
        assert listed(rules.movements(current, CONTRACT, 0, 500)) == []
        with pytest.raises(RequestPending):
            rules.classify(current, CONTRACT, ask("80000,00", endorsement_no=100))

    later = T0 + timedelta(days=7, seconds=1)
    with store.transaction() as tx:
        current = World(tx, MODEL, "tenant", later)
        catch_up(current)
        records = listed(rules.portfolio(current, CONTRACT, 0, 500))
        assert [(d["endorsementNo"], d["creditLimitGranted"], d["statusCode"]) for d in records] == [("100", "75000,00", "2")]
        assert records[0]["effectiveDate"] == (T0 + timedelta(days=7)).strftime("%Y%m%d")
        assert [d["endorsementNo"] for d in listed(rules.movements(current, CONTRACT, 0, 500))] == ["100"]


def test_a_decision_during_a_long_clock_jump_happens_at_its_own_moment():
    seeds = [debtor(1, status="pending", decision="pending-committee", requested="80000,00", since="-PT1H")]
    store = Store()
    with world_at(debtors=seeds, store=store):
        pass
    with store.transaction() as tx:
        current = World(tx, MODEL, "tenant", T0 + timedelta(days=30))
        catch_up(current)
        record = rules.find_debtor(current, CONTRACT, Identifiers(endorsement_no=1))
        assert record.status_code == "2"
        assert record.changed_at == T0 - timedelta(hours=1) + timedelta(days=7)
        assert listed(rules.movements(current, CONTRACT, 0, 500)) == []


@settings(max_examples=40)
@given(ages=st.lists(st.integers(min_value=0, max_value=96 * 60), min_size=1, max_size=20))
def test_movements_are_the_firm_changes_of_the_last_48_hours(ages):
    seeds = [debtor(n, since=f"-PT{age}M") for n, age in enumerate(ages)]
    with world_at(debtors=seeds) as current:
        moved = {d["taxCode"] for d in listed(rules.movements(current, CONTRACT, 0, 500))}
        assert moved == {f"B{n:08d}" for n, age in enumerate(ages) if age < 48 * 60}
