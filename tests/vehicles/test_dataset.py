"""The synthetic dataset generator: counts, valid identifiers, consistent links and determinism."""

import io
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F

from crm_site.validators import normalize_mobile, normalize_plate, normalize_resident_id, normalize_vin
from customers.choices import LEAD_TRANSITIONS
from customers.models import Customer, CustomerDealer, Lead
from dealers.choices import Role
from dealers.demo import demo_seed
from dealers.models import Dealer, Tenant, User
from vehicles.dataset.reference import CATALOGUE, CITIES
from vehicles.models import Ownership, RelatedPurchase, Sale, ServiceVisit, Vehicle, VehicleDealer, VehicleModel

AS_OF = date(2026, 3, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def generate(slug, **options):
    """The tiny network of the brief: 3 dealers, 200 vehicles, 3 visits per vehicle, seed 1."""
    options = {"dealers": 3, "vehicles": 200, "visits_per_vehicle": 3.0, "seed": 1, "as_of": AS_OF, **options}
    call_command("generate_dataset", tenant=slug, stdout=io.StringIO(), **options)
    return Tenant.objects.get(slug=slug)


def fingerprint(tenant):
    """A checksum of the tenant's VINs, plates and mobiles in creation order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(v.vin || v.plate || c.mobile || v.delivered_on::text, ',' ORDER BY v.id)) "
            "FROM vehicles_vehicle v JOIN customers_customer c ON c.id = v.owner_id WHERE v.tenant_id = %s",
            [tenant.id],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def tiny(db):
    return generate("tiny")


def test_counts(tiny):
    assert Dealer.objects.filter(tenant=tiny).count() == 3
    assert Vehicle.objects.filter(tenant=tiny).count() == 200
    assert Sale.objects.filter(tenant=tiny).values("vehicle").distinct().count() == 200
    assert Ownership.objects.filter(tenant=tiny, ended_on__isnull=True).count() == 200
    assert VehicleModel.objects.filter(tenant=tiny).count() == sum(len(s.generations) for s in CATALOGUE)
    buyers = Customer.objects.filter(tenant=tiny, vehicles__isnull=False).distinct().count()
    assert 160 <= buyers <= 200  # about 0.9 per vehicle
    visits = ServiceVisit.objects.filter(tenant=tiny).count()
    assert 450 <= visits <= 750  # 3 per vehicle on average
    assert RelatedPurchase.objects.filter(tenant=tiny, kind="insurance").exists()
    assert Lead.objects.filter(tenant=tiny, stage="won").exists()
    assert not Lead.objects.filter(tenant=tiny, stage="lost", lost_reason="").exists()
    assert not Lead.objects.filter(tenant=tiny, created_at__date__lt=F("customer__created_at__date")).exists()
    assert Sale.objects.filter(tenant=tiny, lead__stage="won", lead__customer=F("customer")).exists()
    for dealer in Dealer.objects.filter(tenant=tiny):
        roles = dict(User.objects.filter(dealer=dealer).values_list("role").annotate(n=Count("id")))
        assert roles[Role.DEALER_MANAGER] == 1
        assert 2 <= roles[Role.SALES_CONSULTANT] <= 4
        assert 2 <= roles[Role.SERVICE_ADVISOR] <= 4
        assert dealer.city in {city.name for city in CITIES}
        assert dealer.name.startswith(dealer.city) and dealer.name.endswith("汽车4S店")


def test_identifiers_are_valid(tiny):
    vehicles = list(Vehicle.objects.filter(tenant=tiny).select_related("model"))
    for vehicle in vehicles:
        assert normalize_vin(vehicle.vin) == vehicle.vin
        assert normalize_plate(vehicle.plate) == vehicle.plate
        new_energy = vehicle.model.fuel_type in {"bev", "phev"}
        assert (len(vehicle.plate) == 8) == new_energy, vehicle.plate
    assert len({vehicle.plate for vehicle in vehicles}) == len(vehicles)
    mobiles = list(Customer.objects.filter(tenant=tiny).values_list("mobile", flat=True))
    assert all(normalize_mobile(mobile) == mobile for mobile in mobiles)
    assert len(set(mobiles)) == len(mobiles)
    with_id = list(Customer.objects.filter(tenant=tiny).exclude(id_number_hash=""))
    assert with_id, "about 10% of buyers have a resident ID number"
    for customer in with_id:
        assert normalize_resident_id(customer.id_number) == customer.id_number
        assert customer.id_number[6:14] == customer.birth_date.strftime("%Y%m%d")


def test_visits_are_consistent(tiny):
    visits = ServiceVisit.objects.filter(tenant=tiny)
    assert not visits.filter(closed_at__lt=F("opened_at")).exists()
    vehicle_links = set(VehicleDealer.objects.filter(tenant=tiny).values_list("vehicle_id", "dealer_id"))
    customer_links = set(CustomerDealer.objects.filter(tenant=tiny).values_list("customer_id", "dealer_id"))
    advisors = dict(User.objects.filter(tenant=tiny, role=Role.SERVICE_ADVISOR).values_list("id", "dealer_id"))
    for visit in visits:
        assert (visit.vehicle_id, visit.dealer_id) in vehicle_links
        assert (visit.customer_id, visit.dealer_id) in customer_links
        assert advisors[visit.advisor_id] == visit.dealer_id
        opened = visit.opened_at.astimezone(SHANGHAI)
        assert time(8, 30) <= opened.time() <= time(17, 30) and opened.date() < AS_OF
    assert visits.filter(kind="first_maintenance").exists() and visits.filter(kind="maintenance").exists()
    for sale in Sale.objects.filter(tenant=tiny).select_related("consultant"):
        assert sale.consultant.dealer_id == sale.dealer_id
        assert (sale.vehicle_id, sale.dealer_id) in vehicle_links


def test_leads_follow_the_funnel(tiny):
    leads = Lead.objects.filter(tenant=tiny).prefetch_related("stage_changes")
    for lead in leads:
        changes = list(lead.stage_changes.all())
        assert (changes[0].from_stage, changes[0].to_stage) == ("", "new")
        assert all(c.to_stage in LEAD_TRANSITIONS[c.from_stage] for c in changes[1:])
        assert changes[-1].to_stage == lead.stage and changes[-1].created_at == lead.stage_changed_at
        assert all(time(8, 30) <= c.created_at.astimezone(SHANGHAI).time() <= time(20) for c in changes)
    assert {lead.stage for lead in leads} == {"new", "contacted", "test_drive", "negotiation", "won", "lost"}


def test_same_seed_same_data(tiny):
    again = generate("tiny-again")
    other = generate("tiny-other", seed=2)
    assert fingerprint(tiny) == fingerprint(again)
    assert fingerprint(tiny) != fingerprint(other)


def test_row_by_row_checks_load_the_same_data(tiny):
    checked = generate("tiny-checked", checked=True)
    assert fingerprint(checked) == fingerprint(tiny)


def test_orm_reads_back(tiny):
    vehicle = Vehicle.objects.filter(tenant=tiny).select_related("owner", "model").order_by("id").first()
    assert vehicle.owner.name and vehicle.model.series
    vehicle.full_clean()  # the model's own validators accept generated VINs and plates
    assert vehicle.dealer_links.filter(kind="sold", dealer_id=vehicle.selling_dealer_id).exists()


def test_refuses_a_tenant_with_vehicles_unless_append(tiny):
    with pytest.raises(CommandError, match="--append"):
        generate("tiny")
    generate("tiny", vehicles=50, append=True)
    vins = Vehicle.objects.filter(tenant=tiny).values_list("vin", flat=True)
    assert len(vins) == 250 == len(set(vins))


def test_extends_the_demo_network(db):
    demo_seed()
    demo = generate("demo", dealers=15, vehicles=100, leads_per_dealer=5)
    assert Dealer.objects.filter(tenant=demo).count() == 15
    bj01 = Dealer.objects.get(tenant=demo, code="BJ01")
    assert User.objects.filter(dealer=bj01, role=Role.SERVICE_ADVISOR).count() >= 2
    assert Vehicle.objects.filter(tenant=demo).count() == 100
