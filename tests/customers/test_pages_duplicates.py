"""The duplicates report and merging two customers from it."""

from __future__ import annotations

from datetime import date

import pytest

from customers.models import ContactPoint, Customer, Lead
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.helpers import EVERY_ROLE, browser, count_queries
from tests.vehicles.factories import SaleFactory, ServiceVisitFactory, VehicleFactory
from vehicles.models import Sale, ServiceVisit

REPORT_OPENS = {"oem_admin", "dealer_manager"}


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_report_opens_by_role(world, name):
    client = browser(world, name)
    expected = 200 if name in REPORT_OPENS else 403
    assert client.get("/customers/duplicates/").status_code == expected
    assert client.get("/customers/duplicates/merge/?a=1&b=2").status_code in ({403} if expected == 403 else {404})


def pair_shown(content: str, first: Customer, second: Customer) -> bool:
    return f"?a={first.pk}&amp;b={second.pk}" in content


def test_each_rule_finds_its_pair_and_says_why(world):
    a1 = world.dealers["A1"]
    born = date(1980, 5, 1)
    same_birth = (CustomerFactory(dealer=a1, name="刘洋", birth_date=born),
                  CustomerFactory(dealer=a1, name="刘洋", birth_date=born))
    phone_owner = CustomerFactory(dealer=a1, name="陈晨", mobile="+8613812340001")
    has_phone = CustomerFactory(dealer=a1, name="陈先生")
    ContactPoint.objects.create(tenant=a1.tenant, customer=has_phone, kind="phone", value="138-1234-0001")
    alike = (CustomerFactory(dealer=a1, name="林峰", city="广州", mobile="+8613912345678"),
             CustomerFactory(dealer=a1, name="林峰", city="广州", mobile="+8613900005678"))
    CustomerFactory(dealer=a1, name="林峰", city="深圳", mobile="+8613911115678")
    CustomerFactory(dealer=a1, name="刘洋", birth_date=date(1990, 1, 1))
    content = browser(world, "dealer_manager").get("/customers/duplicates/").content.decode()
    assert pair_shown(content, *same_birth)
    assert pair_shown(content, *sorted([phone_owner, has_phone], key=lambda c: c.pk))
    assert pair_shown(content, *alike)
    assert content.count("customers/duplicates/merge/?a=") == 3


def test_report_stays_inside_the_scope(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    born = date(1975, 1, 1)
    CustomerFactory(dealer=a1, name="何平", birth_date=born)
    CustomerFactory(dealer=a2, name="何平", birth_date=born)
    assert "merge/?a=" not in browser(world, "dealer_manager").get("/customers/duplicates/").content.decode()
    assert "merge/?a=" in browser(world, "oem_admin").get("/customers/duplicates/").content.decode()


def test_merge_moves_visits_sales_and_leads_then_shows_the_survivor(world):
    a1 = world.dealers["A1"]
    born = date(1982, 2, 2)
    survivor = CustomerFactory(dealer=a1, name="高远", birth_date=born)
    duplicate = CustomerFactory(dealer=a1, name="高远", birth_date=born)
    car = VehicleFactory(dealer=a1, owner=duplicate)
    sale = SaleFactory(dealer=a1, vehicle=car, customer=duplicate)
    visit = ServiceVisitFactory(dealer=a1, vehicle=car, customer=duplicate)
    lead = LeadFactory(dealer=a1, customer=duplicate)
    client = browser(world, "dealer_manager")
    url = f"/customers/duplicates/merge/?a={survivor.pk}&b={duplicate.pk}"
    assert client.get(url).status_code == 200
    response = client.post("/customers/duplicates/merge/", {"a": survivor.pk, "b": duplicate.pk,
                                                            "survivor": survivor.pk})
    assert response.status_code == 200 and "errorlist" in response.content.decode(), "confirmation is required"
    response = client.post("/customers/duplicates/merge/", {"a": survivor.pk, "b": duplicate.pk,
                                                            "survivor": survivor.pk, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{survivor.pk}/"
    assert Sale.objects.get(pk=sale.pk).customer == survivor
    assert ServiceVisit.objects.get(pk=visit.pk).customer == survivor
    assert Lead.objects.get(pk=lead.pk).customer == survivor
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert client.get(f"/customers/{duplicate.pk}/").status_code == 404
    assert 'class="tl-item tl-service_visit"' in client.get(response["Location"]).content.decode()


def test_merge_of_a_customer_outside_the_scope_answers_404(world):
    mine = CustomerFactory(dealer=world.dealers["A1"])
    theirs = CustomerFactory(dealer=world.dealers["A2"])
    client = browser(world, "dealer_manager")
    assert client.get(f"/customers/duplicates/merge/?a={mine.pk}&b={theirs.pk}").status_code == 404
    response = client.post("/customers/duplicates/merge/", {"a": mine.pk, "b": theirs.pk, "survivor": mine.pk,
                                                            "confirm": "on"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.merged_into is None


def test_report_uses_a_constant_number_of_queries(world):
    a1 = world.dealers["A1"]
    client = browser(world, "dealer_manager")
    born = date(1970, 1, 1)
    CustomerFactory(dealer=a1, name="甲", birth_date=born)
    CustomerFactory(dealer=a1, name="甲", birth_date=born)
    client.get("/customers/duplicates/")
    few = count_queries(client, "/customers/duplicates/")
    for n in range(20):
        CustomerFactory(dealer=a1, name=f"乙{n}", birth_date=born)
        CustomerFactory(dealer=a1, name=f"乙{n}", birth_date=born)
    # session, user, pair count, one page of pairs, both customers of the page
    assert count_queries(client, "/customers/duplicates/") == few <= 7  # incl. the RLS role
