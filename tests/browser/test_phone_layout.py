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
