"""The vehicle list: filters, scope, owners masked, paging and its query count."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.customers.factories import CustomerFactory
from tests.helpers import EVERY_ROLE, HQ, browser, count_queries
from tests.vehicles.factories import VehicleFactory, VehicleModelFactory
from vehicles.models import VehicleDealer

# --- the vehicle list --------------------------------------------------------------------------------


ROW_LINK = re.compile(r'<td><a href="/vehicles/\d+/">')


def listed(client, **params) -> str:
    """The list page's HTML for these query parameters (it must answer 200)."""
    response = client.get("/vehicles/", params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def fleet(world):
    """Cars of A1 (two series, delivered at different dates, one in stock, one scrapped), of A2 and of tenant B."""
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    tenant = world.tenants["A"]
    camry = VehicleModelFactory(tenant=tenant, series="凯美瑞", name="2.0G", year=2025)
    corolla = VehicleModelFactory(tenant=tenant, series="卡罗拉", name="1.8L", year=2023)
    return {
        "camry": VehicleFactory(dealer=a1, model=camry, plate="京A10001", colour="珍珠白", delivered_on=date(2025, 3, 1)),
        "corolla": VehicleFactory(dealer=a1, model=corolla, plate="京A10002", delivered_on=date(2023, 6, 1)),
        "stock": VehicleFactory(dealer=a1, model=camry, plate="", owner=None, delivered_on=None),
        "scrapped": VehicleFactory(dealer=a1, model=corolla, plate="京A10004", delivered_on=date(2015, 1, 1),
                                   scrapped_on=date(2025, 1, 1)),
        "a2": VehicleFactory(dealer=a2, model=camry, plate="沪A20001", delivered_on=date(2025, 4, 1)),
        "other_tenant": VehicleFactory(dealer=world.dealers["B1"], plate="粤B30001"),
    }


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_vehicle_list_shows_the_vehicles_of_the_scope_only(world, fleet, name):
    content = listed(browser(world, name))
    for key in ("camry", "corolla", "stock", "scrapped"):
        assert fleet[key].vin in content, key
        assert f'href="/vehicles/{fleet[key].pk}/"' in content
    assert (fleet["a2"].vin in content) == (name in HQ), "another dealer's car only for tenant-wide roles"
    assert fleet["other_tenant"].vin not in content, "never another tenant's"


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_vehicles_menu_entry_for_every_role(world, name):
    content = browser(world, name).get("/").content.decode()
    nav = content[content.index('class="mainnav"'):content.index("</nav>")]
    assert 'href="/vehicles/">车辆</a>' in nav


def test_vehicle_list_filters_by_series_year_dealer_and_delivery_dates(world, fleet):
    client = browser(world, "oem_admin")
    content = listed(client)
    for name in ("series", "year", "selling_dealer", "status"):
        select = content[content.index(f'name="{name}"'):]
        assert '<option value="" selected>' in select[:select.index("</select>")], f"{name} starts unset"
    year = content[content.index('name="year"'):]
    assert '"2025"' in year[:year.index("</select>")] and '"2023"' in year[:year.index("</select>")]
    content = listed(client, series="凯美瑞")
    assert fleet["camry"].vin in content and fleet["a2"].vin in content and fleet["corolla"].vin not in content
    content = listed(client, year="2023")
    assert fleet["corolla"].vin in content and fleet["camry"].vin not in content
    content = listed(client, selling_dealer=world.dealers["A2"].pk)
    assert fleet["a2"].vin in content and fleet["camry"].vin not in content
    content = listed(client, delivered_after="2025-01-01", delivered_before="2025-03-31")
    assert fleet["camry"].vin in content
    assert not any(fleet[key].vin in content for key in ("a2", "corolla", "stock", "scrapped"))


def test_vehicle_list_filters_by_status(world, fleet):
    client = browser(world, "dealer_manager")
    content = listed(client, status="in_stock")
    assert fleet["stock"].vin in content and fleet["camry"].vin not in content and fleet["scrapped"].vin not in content
    content = listed(client, status="sold")
    assert fleet["camry"].vin in content and fleet["corolla"].vin in content
    assert fleet["stock"].vin not in content and fleet["scrapped"].vin not in content
    content = listed(client, status="scrapped")
    assert fleet["scrapped"].vin in content and fleet["camry"].vin not in content


def test_a_car_registered_at_a_visit_without_delivery_date_is_sold_not_in_stock(world):
    walked_in = VehicleFactory(dealer=world.dealers["A1"], delivered_on=None, selling_dealer=None)
    client = browser(world, "service_advisor")
    assert walked_in.vin in listed(client, status="sold")
    assert walked_in.vin not in listed(client, status="in_stock")


def test_vehicle_list_searches_vin_and_plate_text(world, fleet):
    client = browser(world, "sales_consultant")
    content = listed(client, q=fleet["camry"].vin[-6:].lower())
    assert fleet["camry"].vin in content and fleet["corolla"].vin not in content
    content = listed(client, q="A10002")
    assert fleet["corolla"].vin in content and fleet["camry"].vin not in content
    content = listed(client, q=fleet["a2"].vin)
    assert f'href="/vehicles/{fleet["a2"].pk}/"' not in content, "the text search stays inside the scope"


def test_vehicle_list_dealer_choices_stay_in_the_scope(world, fleet):
    content = listed(browser(world, "region_manager"))
    assert world.dealers["A1"].name in content and world.dealers["A2"].name not in content
    assert world.dealers["B1"].name not in listed(browser(world, "oem_admin"))
    for name, dealer in (("region_manager", "A2"), ("oem_admin", "B1")):
        content = listed(browser(world, name), selling_dealer=world.dealers[dealer].pk)
        assert 'class="errors"' in content and fleet["camry"].vin not in content, (name, dealer)


def test_vehicle_list_sorts_by_delivery_date(world, fleet):
    client = browser(world, "dealer_manager")
    newest_first = listed(client)
    order = [newest_first.index(fleet[key].vin) for key in ("camry", "corolla", "scrapped", "stock")]
    assert order == sorted(order), "newest delivery first, never delivered last"
    oldest_first = listed(client, sort="delivered")
    order = [oldest_first.index(fleet[key].vin) for key in ("scrapped", "corolla", "camry", "stock")]
    assert order == sorted(order), "oldest delivery first, never delivered last"
    assert "sort=delivered" in newest_first and "sort=-delivered" in oldest_first
    assert listed(client, sort="vin; drop table").index(fleet["camry"].vin) < newest_first.index(fleet["stock"].vin)


def test_vehicle_list_masks_owners_the_scope_does_not_serve(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    stranger = CustomerFactory(dealer=a2, name="孙悟空")
    car = VehicleFactory(dealer=a2, owner=stranger)
    VehicleDealer.objects.create(tenant=car.tenant, vehicle=car, dealer=a1, kind="serviced")
    served = VehicleFactory(dealer=a1, owner=CustomerFactory(dealer=a1, name="唐三藏"))
    content = listed(browser(world, "service_advisor"))
    assert car.vin in content and "孙**" in content and "孙悟空" not in content
    assert f'href="/customers/{stranger.pk}/"' not in content
    assert f'<a href="/customers/{served.owner_id}/">唐三藏</a>' in content
    content = listed(browser(world, "oem_analyst"))
    assert f'<a href="/customers/{stranger.pk}/">孙悟空</a>' in content


def test_vehicle_list_is_paginated_by_50(world):
    for _n in range(51):
        VehicleFactory(dealer=world.dealers["A1"], owner=None)
    client = browser(world, "dealer_manager")
    first = listed(client)
    assert len(ROW_LINK.findall(first)) == 50 and "page=2" in first
    assert len(ROW_LINK.findall(listed(client, page=2))) == 1


def test_vehicle_list_uses_a_constant_number_of_queries(world):
    a1 = world.dealers["A1"]
    VehicleFactory(dealer=a1, model=VehicleModelFactory(tenant=world.tenants["A"]))
    clients = {name: browser(world, name) for name in ("dealer_manager", "region_manager", "oem_admin")}
    few = {}
    for name, client in clients.items():
        client.get("/vehicles/")
        few[name] = count_queries(client, "/vehicles/?status=sold")
    for _n in range(29):
        # Owners served by another dealer: the masking must not cost a query per row.
        VehicleFactory(dealer=a1, model=VehicleModelFactory(tenant=world.tenants["A"]),
                       owner=CustomerFactory(dealer=world.dealers["A2"]))
    for name, client in clients.items():
        assert len(ROW_LINK.findall(client.get("/vehicles/").content.decode())) == 30
        # session, user, (a region's dealers), RLS role in, catalogue series and years, row count, dealer choices,
        # the page's rows, RLS out
        assert count_queries(client, "/vehicles/?status=sold") == few[name] <= 9, name
