"""seed_demo with the registered demo data: a network worth exploring on the first start, nothing on the second."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from crm_site.registry import registry
from customers.choices import LeadStage
from customers.models import Customer, Lead
from dealers.models import Dealer, Region, Tenant, User
from vehicles.models import Sale, ServiceVisit, Vehicle, VehicleModel

pytestmark = pytest.mark.django_db

VEHICLES = 240


def seed() -> str:
    out, err = io.StringIO(), io.StringIO()
    with override_settings(DEMO_VEHICLES=VEHICLES):
        call_command("seed_demo", stdout=out, stderr=err)
    return out.getvalue()


def snapshot(tenant):
    """Row counts and the latest change of everything the demo data writes."""
    models = (Dealer, Region, User, Customer, Vehicle, VehicleModel, Sale, ServiceVisit, Lead)
    return {model.__name__: (model.objects.filter(tenant=tenant).count(),
                             model.objects.filter(tenant=tenant).aggregate(last=Max("id"))["last"])
            for model in models}


def test_vehicles_registers_its_demo_data():
    assert "vehicles" in [entry.name for entry in registry["demo_data"]]


def test_first_start_fills_the_demo_network():
    out = seed()
    assert "Demo data created." in out and "Demo logins" in out
    assert "generated" not in out  # progress goes to stderr; make run shows stdout (the logins) in its banner
    demo = Tenant.objects.get(slug="demo")
    assert Dealer.objects.filter(tenant=demo).count() == 12  # the demo's own dealers, none added
    assert Vehicle.objects.filter(tenant=demo).count() == VEHICLES
    assert Sale.objects.filter(tenant=demo).count() >= VEHICLES
    assert Customer.objects.filter(tenant=demo).count() >= VEHICLES * 0.8
    assert ServiceVisit.objects.filter(tenant=demo).count() >= VEHICLES * 2
    assert VehicleModel.objects.filter(tenant=demo).count() >= 20
    assert set(Lead.objects.filter(tenant=demo).values_list("stage", flat=True)) == set(LeadStage.values)
    years = {day.year for day in Vehicle.objects.filter(tenant=demo).values_list("delivered_on", flat=True)}
    assert len(years) >= 5  # several years of history
    # The generated staff sit beside the demo users, under their own names.
    for username in ("admin", "analyst", "region", "supervisor", "agent", "manager", "sales", "advisor"):
        assert User.objects.filter(username=username, tenant=demo).count() == 1
    assert User.objects.filter(tenant=demo, username__startswith="demo-bj01-").exists()

    today = timezone.localdate()
    sales = User.objects.get(username="sales")
    funnel = [LeadStage.NEW, LeadStage.CONTACTED, LeadStage.TEST_DRIVE, LeadStage.NEGOTIATION]
    mine = Lead.objects.filter(tenant=demo, assigned_to=sales, stage__in=funnel)
    assert mine.filter(next_action_on=today).exists() and mine.filter(next_action_on__lt=today).exists()
    # Something due in every open stage the dealer has (all four at the demo's size; this network is tiny).
    at_dealer = set(Lead.objects.filter(dealer=sales.dealer, stage__in=funnel).values_list("stage", flat=True))
    assert set(mine.filter(next_action_on__lte=today).values_list("stage", flat=True)) == at_dealer
    advisor = User.objects.get(username="advisor")
    todays = ServiceVisit.objects.filter(tenant=demo, advisor=advisor, dealer=advisor.dealer,
                                         opened_at__date=today)
    assert todays.count() >= 3 and todays.filter(closed_at__isnull=True).exists()
    for visit in todays:
        visit.full_clean()
        assert visit.opened_at <= timezone.now()


def test_second_start_changes_nothing():
    seed()
    demo = Tenant.objects.get(slug="demo")
    before = snapshot(demo)
    out = seed()
    assert "Demo data already present." in out
    assert snapshot(demo) == before

