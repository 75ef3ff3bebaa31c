"""The dashboard at /_emulator/ui: rendered pages through Flask's test client, and the whole
flow in headless Chromium (Debian's chromium and chromium-driver), which also takes the
screenshot README shows (docs/dashboard.png)."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

from emulator import Settings
from emulator.admin import rules, ui
from emulator.control import Control
from emulator.server import ThreadedServer

STANDARD = "10100000001"
PORTFOLIO = f"portfolio/v1/contracts/{STANDARD}/portfolio"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"


def page(client, tenant: str | None = None) -> str:
    answer = client.get("/_emulator/ui", query_string={"client_id": tenant} if tenant else {})
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    return answer.get_data(as_text=True)


def rows(html: str, contract: str, list_key: str = "debtors") -> list[str]:
    """The data-record of each row of a contract's table of ``list_key``, in order."""
    article = html.split(f'id="contract-{contract}"', 1)[1]
    table = article.split(f'data-list="{list_key}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-record="([^"]*)"', table)


# -- rendered on the server -------------------------------------------------------------------


def test_without_a_tenant_the_page_offers_the_tenants_the_emulator_knows(api, client):
    assert "None has called the emulator yet" in page(client)
    api.seed("guide-pending-example")
    api.token()
    html = page(client)
    assert f'<option value="{api.tenant}"' in html and 'id="clock"' not in html
    assert client.get("/_emulator/tenants").json == {"tenants": [api.tenant]}


def test_a_pending_request_is_shown_under_the_debtor_it_is_pending_on(api, client):
    api.seed("guide-pending-example")
    html = page(client, api.tenant)
    assert rows(html, "20000000003") == ["100", "300001"]
    assert re.search(r'<tr class="paired due" data-record="300001">', html)
    # The world started with the scenario's clock: the Sandbox Model's contracts are in it too,
    # and the earliest decision is their debtor 115's (declared non-payments, four days on).
    assert 'id="next-committee">\n        To the next committee decision (2026-01-19 09:00:00 UTC)' in html


def test_with_nothing_due_the_committee_button_is_disabled(api, client):
    api.seed("empty-contract")
    api.advance("P30D")  # every pending request of the world decided
    html = page(client, api.tenant)
    assert '<button disabled id="next-committee"' in html
    assert "No firm change in the recent window" in html


def test_a_list_of_records_an_area_adds_to_the_state_gets_a_table_of_its_own(api, client, monkeypatch):
    # What a future area (sureties, say) puts in /_emulator/state shows without any template change.
    real = rules.state

    def with_bonds(*args, **kwargs):
        state = real(*args, **kwargs)
        for contract in state["contracts"]:
            contract["bonds"] = [{"bondNo": "7", "amount": "1000,00", "note": "", "dueAt": None},
                                 {"bondNo": "8", "amount": "250,00", "note": "", "dueAt": "2026-02-01T00:00:00Z"}]
        return state

    monkeypatch.setattr(rules, "state", with_bonds)
    api.seed("guide-pending-example")
    html = page(client, api.tenant)
    table = html.split('data-list="bonds"', 1)[1].split("</table>", 1)[0]
    headers = [name.replace("<wbr>", "") for name in re.findall(r"<th>([\w<>]+)</th>", table)]
    assert headers == ["bondNo", "amount", "dueAt", "record"]  # the fields filled in some record, then the whole record
    assert '<td data-field="amount">250,00</td>' in table
    assert '<td data-field="dueAt">2026-02-01 00:00:00 UTC</td>' in table
    assert "<h4>bonds <small>(2)</small></h4>" in html


def test_the_sales_show_with_their_calendar_window_and_no_limit_buttons(api, client):
    api.operator("POST", "clock", {"set": "2026-01-15T09:00:00Z", "freeze": True})
    html = page(client, api.tenant)
    article = html.split(f'id="contract-{STANDARD}"', 1)[1].split("</article>", 1)[0]
    table = article.split('data-list="sales"', 1)[1].split("</table>", 1)[0]
    headers = [name.replace("<wbr>", "") for name in re.findall(r"<th>([\w<>]+)</th>", table)]
    assert headers[:3] == ["saleCesceReferenceNo", "endorsementNo", "invoiceNo"] and "Cesce" not in headers
    assert "<h4>Sales <small>(17)</small></h4>" in article and 'data-call="events"' not in table
    # Moved from 2026-01-13 00:00 on: 1000011 changed exactly 48 hours ago, on the 13th, and is one.
    recent = html.split('id="movements"', 1)[1].split("</section>", 1)[0]
    sales = recent.split("Sales moved in the last 48 hours (calendar days)", 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<td data-field="saleCesceReferenceNo">(\d+)</td>', sales) == [
        "1000002", "1000007", "1000008", "1000011", "1000012", "1000016"]


def test_the_sandbox_world_is_not_a_tenant_of_the_dashboard(client):
    html = page(client, "~sandbox")
    assert "world is the Sandbox Model; pick a tenant" in html and 'id="clock"' not in html


def test_the_generic_view_pairs_records_by_pending_of_and_finds_the_next_decision():
    contract = {"contractNo": "1", "debtors": [
        {"endorsementNo": "300002", "pendingOf": "7", "resolveAt": "2026-02-01T00:00:00Z"},
        {"endorsementNo": "5", "pendingOf": None, "resolveAt": "2026-03-01T00:00:00Z"},
        {"endorsementNo": "7", "pendingOf": None, "resolveAt": None},
        {"endorsementNo": "300009", "pendingOf": "99", "resolveAt": None},  # its debtor is not listed
    ]}
    [listed] = ui.record_lists(contract, {})
    assert [(r.record["endorsementNo"], r.paired) for r in listed.rows] == [
        ("5", False), ("7", False), ("300002", True), ("300009", False)]
    view = ui.ContractView("1", {}, [listed])
    assert ui.next_decision([view]) == "2026-02-01T00:00:00Z"


# -- in a browser -----------------------------------------------------------------------------


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser():
    found = _chromium()
    if found is None:
        pytest.skip("Chromium is not installed: apt-get install chromium chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = found[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1600,1000", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(found[1]))
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, timeout: float = 20):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # While a page is replaced, the driver may answer with any of its errors: ask again.
    return WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(condition)


def _click_and_reload(driver, element_id: str) -> None:
    """Click a button that calls the operator API, and wait for the page it reloads: the mark
    set on this page's window is gone from the next one."""
    from selenium.webdriver.common.by import By

    driver.execute_script("window.beforeReload = true")
    driver.find_element(By.ID, element_id).click()
    _wait(driver, lambda d: d.execute_script(
        "return window.beforeReload === undefined && document.readyState === 'complete'"))


def _portfolio(driver) -> dict[str, dict[str, str]]:
    """The rows of the contract's portfolio table as shown: endorsementNo -> field -> text."""
    from selenium.webdriver.common.by import By

    shown = {}
    table = driver.find_element(By.CSS_SELECTOR, f'#contract-{STANDARD} table[data-list="debtors"]')
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = {cell.get_attribute("data-field"): cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td[data-field]")}
        shown[row.get_attribute("data-record")] = {**cells, "class": row.get_attribute("class")}
    return shown


def test_the_dashboard_follows_the_committee_and_highlights_a_finding(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with ThreadedServer() as server:
        erp = Control(server.url, "dashboard-demo")
        erp.set_clock("2026-11-24T09:00:00Z", freeze=True)
        assert erp.request("GET", PORTFOLIO).status == 200  # the client's first sync: the mock contract appears

        browser.get(f"{server.url}/_emulator/ui")
        Select(browser.find_element(By.ID, "tenant-select")).select_by_value("dashboard-demo")
        _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-tenant") == "dashboard-demo")
        before = _portfolio(browser)
        order = list(before)
        assert order.index("300001") == order.index("106") + 1  # the pair reads as a pair
        assert "paired" in before["300001"]["class"] and before["300001"]["statusCode"] == "1"
        assert before["106"]["creditLimitGranted"] == "50000,00"
        assert before["105"]["statusCode"] == "1"  # a new debtor, also before the committee

        # The earliest decisions are 115's (declared non-payments) and 105's (a new company);
        # then 300001's, which merges into 106.
        assert "2026-11-28 09:00:00 UTC" in browser.find_element(By.ID, "next-committee").text
        _click_and_reload(browser, "next-committee")
        assert browser.find_element(By.ID, "now").text == "2026-11-28 09:00:00 UTC"
        _click_and_reload(browser, "next-committee")
        assert browser.find_element(By.ID, "now").text == "2026-11-29 09:00:00 UTC"
        middle = _portfolio(browser)
        assert middle["105"]["statusCode"] != "1" and "300001" in middle

        _click_and_reload(browser, "next-committee")
        after = _portfolio(browser)
        assert "300001" not in after
        assert after["106"]["creditLimitGranted"] == "112500,00" and after["106"]["statusCode"] == "2"
        moved = browser.find_elements(By.CSS_SELECTOR, '#movements table[data-list="debtors"] tr[data-record="106"]')
        assert len(moved) == 1
        # The mock sale that waited on the request (1000008, on 106) was rated then: it moved too.
        sold = browser.find_elements(By.CSS_SELECTOR, '#movements table[data-list="sales"] tr[data-record="106"]')
        assert [row.find_element(By.CSS_SELECTOR, 'td[data-field="saleCesceReferenceNo"]').text for row in sold] == ["1000008"]

        # A request Cesce would refuse, accepted in lenient mode with a finding.
        answer = erp.request("POST", f"classifications/v1/contracts/{STANDARD}/classifications",
                             body={"debtor": {"countryCode": "ES", "taxCode": "B20000001", "creditLimitRequested": "1234.5"}})
        assert answer.status == 201, answer.body
        browser.refresh()
        newest = browser.find_element(By.CSS_SELECTOR, "#journal tbody tr")
        assert newest.find_elements(By.TAG_NAME, "td")[2].text == "createClassification"
        assert "finding" in newest.get_attribute("class").split()
        assert "creditLimitRequested" in newest.find_element(By.CSS_SELECTOR, ".finding-text").text
        highlighted = browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", newest)
        plain = browser.find_elements(By.CSS_SELECTOR, "#journal tbody tr:not(.finding)")[0]
        assert highlighted != browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", plain)

        # A refused operator call shows the emulator's reason and changes nothing.
        assert browser.find_element(By.ID, "status").get_attribute("hidden") is not None
        browser.execute_script("document.getElementById('advance-hour').dataset.body = '{\"advance\": \"P1M\"}'")
        browser.find_element(By.ID, "advance-hour").click()
        _wait(browser, lambda d: d.find_element(By.ID, "status").is_displayed())
        assert "not an ISO 8601 duration" in browser.find_element(By.ID, "status").text
        assert erp.clock()["now"] == "2026-11-30T09:00:00.000000Z"

        browser.refresh()
        _save_top_of_page(browser, SCREENSHOT)


def _save_top_of_page(driver, path: Path, height: int = 1400) -> None:
    """A PNG of the page's top: the clock, its buttons and the first contract's portfolio with
    its 300xxx pair (Chromium's DevTools protocol, so it does not depend on the window)."""
    width = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["width"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def test_a_new_tenant_is_named_seeded_and_given_a_fault_from_the_page(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with ThreadedServer() as server:
        browser.get(f"{server.url}/_emulator/ui")
        browser.find_element(By.ID, "tenant-input").send_keys("walk-in")
        browser.find_element(By.ID, "tenant-open").click()
        _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-tenant") == "walk-in")
        # A new tenant's world holds the Sandbox Model's contracts from its first contact.
        assert browser.find_elements(By.ID, "contract-10100000001")

        Select(browser.find_element(By.ID, "scenario-name")).select_by_value("guide-pending-example")
        _click_and_reload(browser, "seed")
        table = browser.find_element(By.CSS_SELECTOR, '#contract-20000000003 table[data-list="debtors"]')
        assert [row.get_attribute("data-record") for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")] == ["100", "300001"]
        assert browser.find_element(By.ID, "now").text == "2026-01-15 09:00:00 UTC"

        form = browser.find_element(By.ID, "fault-form")
        Select(form.find_element(By.NAME, "status")).select_by_visible_text("503")
        Select(form.find_element(By.NAME, "operation")).select_by_visible_text("getPortfolio")
        form.find_element(By.NAME, "times").clear()
        form.find_element(By.NAME, "times").send_keys("2")
        _click_and_reload(browser, "add-fault")
        walk_in = Control(server.url, "walk-in")
        assert [(f["status"], f["operation"], f["remaining"]) for f in walk_in.faults()] == [(503, "getPortfolio", 2)]
        assert "getPortfolio" in browser.find_element(By.CSS_SELECTOR, "#faults table").text

        _click_and_reload(browser, "clear-faults")
        assert walk_in.faults() == [] and "None waiting." in browser.find_element(By.ID, "faults").text


def test_an_emulator_with_an_admin_token_asks_the_browser_for_it_once(browser):
    from selenium.webdriver.common.by import By

    with ThreadedServer(Settings(admin_token="s3cret")) as server:
        Control(server.url, "signed-in", admin_token="s3cret").set_clock("2026-11-24T09:00:00Z", freeze=True)
        browser.get(f"{server.url}/_emulator/ui?client_id=signed-in")
        field = browser.find_element(By.ID, "token")
        field.send_keys("guess")
        browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
        _wait(browser, lambda d: d.find_element(By.ID, "status").is_displayed())
        assert "not this emulator's admin token" in browser.find_element(By.ID, "status").text

        field.clear()
        field.send_keys("s3cret")
        browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
        _wait(browser, lambda d: d.find_elements(By.ID, "now"))
        assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-tenant") == "signed-in"
        # The page's buttons carry the token too: the clock moves an hour.
        assert browser.find_element(By.ID, "now").text == "2026-11-24 09:00:00 UTC"
        _click_and_reload(browser, "advance-hour")
        assert browser.find_element(By.ID, "now").text == "2026-11-24 10:00:00 UTC"
        assert browser.get_cookie("cesce_emulator_admin")["httpOnly"] is True
