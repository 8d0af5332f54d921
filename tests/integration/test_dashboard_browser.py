"""The dashboard in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by selenium, against gunicorn on nx-27017.

It signs in with the keyboard, reads a conversation and marks it read, completes an
order, sees the sales chart's non-zero bars and the delivery charts, checks that no request left the service's
origin and that no page is wider than a 375 px phone screen, and signs out. A
screenshot of each page goes to test-artifacts/screenshots/ (not in git).
"""
import json
import shutil

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.dashboard_helpers import SECRET_KEY
from tests.integration.processes import ROOT, Service, create_tenant

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="browser tests need Chromium: apt-get install chromium chromium-driver"),
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE_WIDTH = 375
BOT, CUSTOMER = "5511987654321", "5511912345678"


@pytest.fixture
def service(tmp_path, database_uri):
    with Service(tmp_path, {"MONGODB_URI": database_uri, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                            "SNAPSHOT_INTERVAL_S": "0", "SECRET_KEY": SECRET_KEY}) as running:
        yield running


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=DriverService(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    phone_screen(driver)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def seed(url: str) -> dict:
    """A tenant with a session, a conversation (text, an image, a read reply) and two orders."""
    tenant = create_tenant(url, "browser-shop")
    headers = tenant["headers"]

    def api(method, path, body):
        response = requests.request(method, f"{url}{path}", json=body, headers=headers, timeout=10)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    requests.patch(f"{url}/api/v1/admin/tenants/browser-shop", json={"timezone": "America/Sao_Paulo"},
                   headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10).raise_for_status()
    api("PUT", "/api/v1/sessions/store-main", {"status": "open", "phone_number": BOT})
    base = {"session_id": "store-main"}
    api("POST", "/api/v1/messages", {**base, "direction": "in", "from": CUSTOMER, "to": BOT,
                                     "text": "Oi! Meu pedido SO-1 já saiu?", "external_id": "w1"})
    reply = api("POST", "/api/v1/messages", {**base, "direction": "out", "from": BOT, "to": CUSTOMER,
                                             "text": "Saiu para entrega hoje 🚚", "external_id": "w2"})
    api("PATCH", f"/api/v1/messages/{reply['id']}", {"status": "read"})
    api("POST", "/api/v1/messages", {**base, "direction": "in", "from": CUSTOMER, "to": BOT, "type": "image",
                                     "media": {"url": "https://gw.example/m/1.jpg", "mime_type": "image/jpeg",
                                               "caption": "Comprovante"}, "external_id": "w3"})
    for number, price in (("SO-1", "49.90"), ("SO-2", "15.00")):
        api("POST", "/api/v1/orders", {"external_order_id": number, "recipient_phone": CUSTOMER, "currency": "BRL",
                                       "items": [{"product_type": "t-shirt", "quantity": 2, "unit_price": price}]})
    return tenant


def phone_screen(driver, width: int = PHONE_WIDTH) -> None:
    """A phone-sized viewport (headless Chromium's windows are at least 500 px wide)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600})


def wait_for(driver, condition, timeout_s: float = 30):
    """Wait until `condition(driver)` holds; a page being replaced meanwhile is waited out
    (Chromium reports an element of the page going away as stale, as missing, or, under
    load, as "Node with given id does not belong to the document": any WebDriverException)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s, ignored_exceptions=(WebDriverException,)).until(condition)


def type_into_focused_key(driver, key: str) -> None:
    """Type `key` where the sign-in page puts the focus (autofocus applies once the page
    has rendered) and press Enter."""
    from selenium.webdriver.common.keys import Keys

    focused = wait_for(driver, lambda d: d.switch_to.active_element.get_attribute("id") == "key"
                       and d.switch_to.active_element)
    focused.send_keys(key, Keys.ENTER)


def on_page(path: str):
    return lambda driver: driver.current_url.split("?")[0].endswith(path)


def shot(driver, name: str) -> None:
    assert driver.execute_script("return window.innerWidth") == PHONE_WIDTH
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH, \
        f"{name} is wider than {PHONE_WIDTH} px"
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_a_person_reads_a_conversation_completes_an_order_and_sees_the_chart(service, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    tenant = seed(service.url)
    css = browser.find_element
    browser.get(f"{service.url}/dashboard")
    assert browser.current_url.endswith("/dashboard/sign-in")
    shot(browser, "01-sign-in")
    # The key field takes the focus: type and press Enter, no mouse.
    type_into_focused_key(browser, tenant["api_key"])
    wait_for(browser, on_page("/dashboard"))
    assert "store-main" in css(By.TAG_NAME, "main").text
    shot(browser, "02-overview")

    css(By.LINK_TEXT, "Conversations").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/conversations"))
    shot(browser, "03-conversations")
    css(By.CSS_SELECTOR, ".conversation.unread a").send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".bubble"))
    bubbles = browser.find_elements(By.CSS_SELECTOR, ".bubble")
    assert [b.get_attribute("class") for b in bubbles] == ["bubble in", "bubble out", "bubble in"]
    assert "Meu pedido SO-1" in bubbles[0].text and "Saiu para entrega" in bubbles[1].text
    assert "image/jpeg" in bubbles[2].text and "Comprovante" in bubbles[2].text
    assert css(By.CSS_SELECTOR, ".bubble.out .ticks").get_attribute("title") == "read"
    assert "-03" in bubbles[0].text  # São Paulo time
    shot(browser, "04-thread")
    css(By.XPATH, "//button[normalize-space()='Mark as read']").send_keys(Keys.ENTER)
    wait_for(browser, lambda d: "All read" in d.find_element(By.ID, "unread-state").text)
    summary = requests.get(f"{service.url}/api/v1/conversations/{CUSTOMER}/{BOT}", headers=tenant["headers"],
                           timeout=10).json()
    assert summary["unread_count"] == 0

    # The search box on the conversations page: words in any case, without accents.
    css(By.LINK_TEXT, "Conversations").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/conversations"))
    css(By.ID, "q").send_keys("PEDIDO ja sa*", Keys.ENTER)
    wait_for(browser, on_page("/dashboard/conversations/search"))
    found = browser.find_elements(By.CSS_SELECTOR, ".search-results .conversation")
    assert len(found) == 1 and "Meu pedido SO-1 já saiu?" in found[0].text and "-03" in found[0].text
    shot(browser, "04b-message-search")
    found[0].find_element(By.TAG_NAME, "a").send_keys(Keys.ENTER)
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".bubble")) == 3)

    css(By.LINK_TEXT, "Orders").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/orders"))
    shot(browser, "05-orders")
    css(By.CSS_SELECTOR, 'tr[data-order="SO-1"] a[href$="/complete"]').send_keys(Keys.ENTER)
    wait_for(browser, on_page("/complete"))
    shot(browser, "06-confirm")
    css(By.XPATH, "//button[normalize-space()='Yes, complete it']").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/orders"))
    assert "SO-1 is completed" in css(By.CSS_SELECTOR, ".notice").text
    orders = requests.get(f"{service.url}/api/v1/orders?status=completed", headers=tenant["headers"],
                          timeout=10).json()["items"]
    assert [o["external_order_id"] for o in orders] == ["SO-1"]

    css(By.LINK_TEXT, "Sales").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/sales"))
    for chart, expected in (("orders-chart", "2"), ("revenue-chart", "9980")):
        bars = browser.find_elements(By.CSS_SELECTOR, f"#{chart} rect.bar")
        drawn = [(bar.get_attribute("data-value"), bar.size["height"]) for bar in bars]
        assert len(drawn) == 30
        assert [value for value, _ in drawn if value != "0"] == [expected]
        assert all(height > 0 for value, height in drawn if value != "0"), drawn
    shot(browser, "07-sales")
    phone_screen(browser, 1280)
    browser.save_screenshot(str(SCREENSHOTS / "07-sales-desktop.png"))
    phone_screen(browser)

    css(By.LINK_TEXT, "Delivery").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/delivery"))
    for chart in ("delivered-chart", "read-chart"):  # the reply was read today: 100 % of 1
        bars = browser.find_elements(By.CSS_SELECTOR, f"#{chart} rect.bar")
        drawn = [(bar.get_attribute("data-value"), bar.size["height"]) for bar in bars]
        assert len(drawn) == 30 and [value for value, _ in drawn if value != "0"] == ["100"], drawn
        assert all(height > 0 for value, height in drawn if value != "0"), drawn
    assert len(browser.find_elements(By.CSS_SELECTOR, "#read-time-chart rect.bar")) == 30
    assert css(By.CSS_SELECTOR, "#sessions tbody td").text == "store-main"
    shot(browser, "09-delivery")

    css(By.XPATH, "//button[normalize-space()='Sign out']").send_keys(Keys.ENTER)
    wait_for(browser, on_page("/dashboard/sign-in"))
    browser.get(f"{service.url}/dashboard/orders")
    assert browser.current_url.endswith("/dashboard/sign-in")

    type_into_focused_key(browser, ADMIN_TOKEN)
    wait_for(browser, lambda d: d.find_elements(By.ID, "tenants"))
    assert "browser-shop" in css(By.ID, "tenants").text
    shot(browser, "08-operator")

    assert_everything_came_from(browser, service.url)


def assert_everything_came_from(browser, origin: str) -> None:
    """Every request the dashboard's pages made (Chrome's network log, by the page that
    made it, and the page's resource timing) went to the service, and no page logged an
    error (a CSP refusal would). Chromium's own pages and background work are not the
    dashboard's, whatever they fetch."""
    events = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    sent = [event["params"] for event in events if event["method"] == "Network.requestWillBeSent"]
    urls = {params["request"]["url"] for params in sent if params.get("documentURL", "").startswith(origin + "/")}
    urls |= set(browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"))
    assert len(urls) > 10 and all(url.startswith(origin + "/") for url in urls), sorted(urls)
    assert any(url.endswith("/dashboard.css") for url in urls)
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
