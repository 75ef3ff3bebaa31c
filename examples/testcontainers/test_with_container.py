"""A first test of the recipe: the emulator in the container answers a tenant of its own."""


def test_the_container_serves_the_mock_contract(cesce):
    answer = cesce.request("GET", "portfolio/v1/contracts/10100000001/portfolio")
    assert answer.status == 200
    assert answer.body["client"]["nextEndorsementNo"] == "0"


def test_the_committee_decides_on_the_tenants_clock(cesce):
    cesce.set_clock("2026-01-15T09:00:00Z", freeze=True)
    cesce.seed("guide-pending-example")
    cesce.advance("P7D")
    records = cesce.request("GET", "portfolio/v1/contracts/20000000003/portfolio").body["debtor"]
    assert [(r["endorsementNo"], r["creditLimitGranted"]) for r in records] == [("100", "75000,00")]
