"""The wire format's own promises: a record's kept wire text is exactly what rendering it
answers, and an answer placing kept texts reads as one rendered whole."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from emulator import wire
from emulator.risks.records import Debtor

texts = st.none() | st.text(max_size=12)
amounts = st.integers(min_value=-10**15, max_value=10**15)
days = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))
debtors = st.builds(
    Debtor, country_code=st.text(max_size=3), tax_code=st.text(max_size=12), endorsement_no=st.integers(1, 399999),
    status_code=st.text(max_size=2), company_name=texts, city=texts, credit_limit_requested=amounts,
    credit_limit_granted=amounts, cover_cost=amounts, effective_date=days, classification_date=days,
)


@given(debtors)
def test_a_records_wire_text_is_its_rendering_encoded(debtor):
    assert wire.record_text(debtor) == wire.dumps(wire.render_record(debtor))


@given(st.lists(debtors, max_size=5))
def test_a_page_of_kept_texts_reads_as_the_page_rendered(records):
    rendered = wire.envelope({"contractNo": "1"}, debtor=[wire.render_record(d) for d in records] or None)
    joined = wire.envelope({"contractNo": "1"}, debtor=[wire.Encoded(wire.record_text(d)) for d in records] or None)
    assert json.loads(wire.dumps(joined)) == rendered
    assert wire.dumps(joined) == wire.dumps(rendered)
