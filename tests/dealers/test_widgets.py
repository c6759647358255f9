"""The landing page per role: each role gets its own widgets only, and no dealer role lands on the dealer table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import EVERY_ROLE, browser, count_queries

# role → the widgets of its landing page (the widgets.py of every app)
HOME_WIDGETS = {
    "oem_admin": ["retention_network", "network_today", "callcenter_board", "satisfaction", "complaints", "dealers"],
    "oem_analyst": ["retention_network", "network_today", "satisfaction", "dealers"],
    "cc_supervisor": ["my_queue", "leads_i_opened", "callcenter_board", "satisfaction", "complaints", "dealers"],
    "cc_agent": ["my_queue", "leads_i_opened", "complaints", "dealers"],
    "region_manager": ["retention_network", "network_today", "satisfaction", "complaints", "dealers"],
    "dealer_manager": ["retention_scorecard", "store_today", "store_leads", "satisfaction", "complaints", "my_queue"],
    "sales_consultant": ["my_leads", "complaints", "my_queue"],
    "service_advisor": ["todays_visits", "complaints", "due_maintenance", "my_queue"],
}


def widget_codes(response) -> list[str]:
    return [widget["code"] for widget in response.context["widgets"]]


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_every_role_lands_on_its_own_widgets(world, name):
    response = browser(world, name).get("/")
    assert response.status_code == 200
    assert widget_codes(response) == HOME_WIDGETS[name]
    for code in HOME_WIDGETS[name]:
        assert f'id="widget-{code}"' in response.content.decode()


def test_dealer_table_holds_the_scope_only_and_links_for_org_editors(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    region = browser(world, "region_manager").get("/").content.decode()
    assert a1.code in region and a2.code not in region and world.dealers["B1"].code not in region
    assert reverse("dealers:dealer-update", args=[a1.pk]) not in region
    admin = browser(world, "oem_admin").get("/").content.decode()
    assert reverse("dealers:dealer-update", args=[a1.pk]) in admin
    assert reverse("dealers:dealer-update", args=[a2.pk]) in admin
    assert world.dealers["B1"].code not in admin


def test_menu_lists_imports_and_the_catalogue_to_who_may_open_them(world):
    expected = {
        # imports: whoever may import or export some kind; catalogue: HQ (every role may read it by its URL)
        "oem_admin": (True, True), "oem_analyst": (True, True), "region_manager": (True, False),
        "dealer_manager": (True, False), "cc_agent": (False, False),
    }
    for name, (imports, catalogue) in expected.items():
        page = browser(world, name).get("/").content.decode()
        assert (f'href="{reverse("imports:job-list")}"' in page) == imports, name
        assert (f'href="{reverse("vehicles:catalogue-list")}"' in page) == catalogue, name


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_every_landing_page_runs_a_constant_number_of_queries(world, name):
    from datetime import timedelta

    from django.utils import timezone

    from tests.customers.factories import LeadFactory
    from tests.dealers.factories import DealerFactory
    from tests.vehicles.factories import SaleFactory, ServiceVisitFactory, VehicleFactory

    a1 = world.dealers["A1"]
    consultant = world.principals["sales_consultant"].user
    today = timezone.localdate()

    def add_some():
        LeadFactory(dealer=a1, assigned_to=consultant, next_action_on=today - timedelta(days=1))
        LeadFactory(dealer=a1, assigned_to=consultant)
        SaleFactory(dealer=a1, delivered_on=today)
        ServiceVisitFactory(dealer=a1, opened_at=timezone.now())
        VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=170))
        DealerFactory(tenant=a1.tenant, region=a1.region)

    client = browser(world, name)
    add_some()
    few = count_queries(client, "/")
    for _ in range(3):
        add_some()
    assert count_queries(client, "/") == few
