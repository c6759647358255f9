"""At a phone's width (390 px) the menu folds behind a button that opens it, and no page is wider than the screen."""

from __future__ import annotations

import pytest

from dealers.choices import Role
from tests.customers.factories import LeadFactory
from tests.dealers.factories import TEST_PASSWORD, DealerFactory, UserFactory
from tests.vehicles.factories import VehicleFactory

from .conftest import log_in

PAGES = ["/", "/customers/", "/customers/leads/", "/vehicles/", "/vehicles/visits/new/", "/vehicles/sales/new/",
         "/vehicles/models/", "/imports/", "/org/users/", "/notifications/"]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_menu_opens_on_a_phone_and_no_page_overflows(phone):
    dealer = DealerFactory()
    UserFactory(username="phone-manager", role=Role.DEALER_MANAGER, dealer=dealer)
    VehicleFactory(dealer=dealer)
    LeadFactory(dealer=dealer)
    log_in(phone, "phone-manager", TEST_PASSWORD)
    menu = phone.locator("#mainnav")
    assert not menu.is_visible()
    phone.click("button.menu-toggle")
    assert menu.is_visible() and phone.locator("#mainnav a").count() >= 5
    for path in PAGES:
        response = phone.goto(phone.base_url + path)
        assert response.status == 200, path
        width = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (path, width)
