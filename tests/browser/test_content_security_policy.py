"""In a real headless Chromium: every page is served with a Content-Security-Policy that allows no inline script,
and no page breaks under it (the console reports no violation; the behaviours of static/js/crm.js still work)."""

from __future__ import annotations

import pytest

from tests.callcenter.queue_world import rules
from tests.customers.factories import CustomerFactory
from tests.dealers.factories import TEST_PASSWORD

from ..conftest import build_world
from .conftest import log_in

PAGES = {
    "oem_admin": ["/", "/customers/", "/customers/{customer}/", "/vehicles/", "/customers/leads/", "/org/dealers/",
                  "/org/api-clients/", "/callcenter/rules/", "/callcenter/calendar/", "/callcenter/runs/",
                  "/callcenter/board/", "/callcenter/complaints/", "/callcenter/complaints/board/",
                  "/imports/new/", "/customers/{customer}/data/"],
    "cc_agent": ["/callcenter/", "/callcenter/hotline/", "/callcenter/calls/", "/callcenter/callbacks/"],
    "service_advisor": ["/vehicles/visits/new/", "/callcenter/bookings/"],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_page_breaks_under_the_policy(page, name):
    world = build_world()
    a1 = world.dealers["A1"]
    customer = CustomerFactory(dealer=a1, name="测试客户")
    rules(world.tenants["A"])
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    log_in(page, name, TEST_PASSWORD)
    for path in PAGES[name]:
        response = page.goto(f"{page.base_url}{path.format(customer=customer.pk)}")
        assert response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0], path
        page.wait_for_load_state("networkidle")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_phone_menu_and_the_language_switch_work_from_the_static_script(page):
    build_world()
    log_in(page, "oem_admin", TEST_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/")
    assert not page.is_visible("#mainnav a[href='/customers/']")
    page.click("button.menu-toggle")
    assert page.is_visible("#mainnav a[href='/customers/']")
    page.select_option("#lang-select", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
