"""Customer value: RFM quintiles (recency inverted) over visits and spend, the 3R, the tier rule, the API and page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from crm_site.scope import Scope
from retention.models import CustomerValue
from retention.value import customer_value_build
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.helpers import EVERY_ROLE, browser
from tests.vehicles.factories import RelatedPurchaseFactory, SaleFactory, ServiceVisitFactory, VehicleFactory

AS_OF = dt.date(2026, 11, 30)
SH = ZoneInfo("Asia/Shanghai")


def visit(dealer, vehicle, days_ago: int, amount: int):
    at = dt.datetime.combine(AS_OF - dt.timedelta(days=days_ago), dt.time(10), tzinfo=SH)
    return ServiceVisitFactory(dealer=dealer, tenant=dealer.tenant, vehicle=vehicle, customer=vehicle.owner,
                               opened_at=at, closed_at=at + dt.timedelta(hours=2), amount=amount)


@pytest.fixture
def five(world):
    """Five owners: customer i came (i * 30) days ago, i + 1 times, for (i + 1) × 500 yuan."""
    a1 = world.dealers["A1"]
    owners = []
    for i in range(5):
        customer = CustomerFactory(dealer=a1, name=f"车主{i}")
        vehicle = VehicleFactory(dealer=a1, owner=customer)
        for n in range(i + 1):
            visit(a1, vehicle, (i * 30) + n * 100 if n else i * 30, 500)
        owners.append(customer)
    return a1, owners


def test_quintiles_recency_inverted_and_the_tier_rule(world, five):
    a1, owners = five
    scored = customer_value_build(scope=Scope.system(a1.tenant_id), as_of=AS_OF)
    assert scored == 5
    values = {v.customer_id: v for v in CustomerValue.objects.all()}
    got = [(values[c.pk].r, values[c.pk].f, values[c.pk].m) for c in owners]
    assert got == [(5, 1, 1), (4, 2, 2), (3, 3, 3), (2, 4, 4), (1, 5, 5)]
    assert [values[c.pk].tier for c in owners] == ["growth", "growth", "growth", "at_risk", "at_risk"]
    assert values[owners[0].pk].recency_days == 0 and values[owners[4].pk].recency_days == 120
    assert values[owners[4].pk].spend == 2500 and values[owners[4].pk].visits == 5


def test_the_three_r_and_a_rebuild_replaces(world, five):
    a1, owners = five
    keen = owners[0]
    SaleFactory(dealer=a1, vehicle=VehicleFactory(dealer=a1, owner=keen), customer=keen, delivered_on=AS_OF)
    SaleFactory(dealer=a1, vehicle=VehicleFactory(dealer=a1, owner=keen), customer=keen,
                delivered_on=AS_OF - dt.timedelta(days=400))
    RelatedPurchaseFactory(dealer=a1, customer=keen, vehicle=VehicleFactory(dealer=a1, owner=keen),
                           purchased_on=AS_OF - dt.timedelta(days=5), expires_on=AS_OF + dt.timedelta(days=360))
    LeadFactory(dealer=a1, referred_by=keen, source="referral", stage="won")
    LeadFactory(dealer=a1, referred_by=keen, source="referral")
    scope = Scope.system(a1.tenant_id)
    customer_value_build(scope=scope, as_of=AS_OF)
    value = CustomerValue.objects.get(customer=keen)
    assert (value.vehicles_bought, value.rebuy, value.related, value.referrals, value.referrals_won) == (
        2, True, 1, 2, 1)
    customer_value_build(scope=scope, as_of=AS_OF)
    assert CustomerValue.objects.filter(customer=keen).count() == 1


def test_the_api_and_page_read_through_the_scope(world, api, five):
    a1, owners = five
    customer_value_build(scope=Scope.system(a1.tenant_id), as_of=AS_OF)
    b1 = world.dealers["B1"]
    foreign = CustomerFactory(dealer=b1)
    VehicleFactory(dealer=b1, owner=foreign)
    rows = api("client_tenant_write").get("/api/v1/retention/customer-value/", {"tier": "at_risk"}).json()["results"]
    assert {r["customer"] for r in rows} == {owners[3].pk, owners[4].pk}
    assert api("dealer_manager").get("/api/v1/retention/customer-value/").json()["results"]
    assert api("oem_admin").get("/api/v1/retention/customer-value/", {"tier": "nonsense"}).status_code == 400
    for name in EVERY_ROLE:
        page = browser(world, name).get("/retention/customer-value/")
        assert page.status_code == (200 if name in {"oem_admin", "oem_analyst", "region_manager",
                                                    "dealer_manager"} else 403), name
    body = browser(world, "oem_analyst").get("/retention/customer-value/").content.decode()
    assert "车主4" in body
    assert "R 5" in browser(world, "dealer_manager").get(f"/customers/{owners[0].pk}/").content.decode()
