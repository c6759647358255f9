"""factory_boy factories of the catalogue, vehicles, sales, visits and purchases, linked to their dealer."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from crm_site.validators import vin_check_digit
from customers import choices as customer_choices
from tests.customers.factories import CustomerFactory
from tests.dealers.factories import DealerFactory, TenantFactory
from vehicles import choices as vehicle_choices
from vehicles.models import RelatedPurchase, Sale, ServiceVisit, Vehicle, VehicleDealer, VehicleModel


def make_vin(n: int, prefix: str = "LFV2A21K0C") -> str:
    """A valid VIN (check digit included) that differs for each n (factories use another prefix than tests)."""
    base = f"{prefix}{n:07d}"
    return base[:8] + vin_check_digit(base) + base[9:]


def make_plate(n: int) -> str:
    """A valid ordinary licence plate of Tianjin, different for each n below 100,000 (tests use other provinces)."""
    return f"津A{n % 100000:05d}"


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleModel

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"M{n:04d}")
    series = "卡罗拉"
    name = factory.Sequence(lambda n: f"1.8L 精英版 {n}")
    year = 2025
    fuel_type = vehicle_choices.FuelType.HYBRID
    price_band = vehicle_choices.PriceBand.ENTRY


class VehicleDealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleDealer

    vehicle = None
    dealer = None
    tenant = factory.SelfAttribute("vehicle.tenant")
    kind = customer_choices.LinkKind.SOLD


class VehicleFactory(factory.django.DjangoModelFactory):
    """A vehicle linked to `dealer`, owned by a customer of that dealer unless owner=None."""

    class Meta:
        model = Vehicle
        skip_postgeneration_save = True

    class Params:
        dealer = factory.SubFactory(DealerFactory)

    tenant = factory.LazyAttribute(lambda o: o.dealer.tenant if o.dealer else TenantFactory())
    vin = factory.Sequence(lambda n: make_vin(n, prefix="LSGKB54H0D"))
    plate = factory.Sequence(make_plate)
    owner = factory.SubFactory(CustomerFactory, dealer=factory.SelfAttribute("..dealer"))
    selling_dealer = factory.SelfAttribute("dealer")
    delivered_on = date(2024, 5, 1)
    link = factory.Maybe(
        "dealer",
        yes_declaration=factory.RelatedFactory(VehicleDealerFactory, "vehicle", dealer=factory.SelfAttribute("..dealer")),
        no_declaration=None,
    )


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    vehicle = factory.SubFactory(VehicleFactory, dealer=factory.SelfAttribute("..dealer"))
    customer = factory.SelfAttribute("vehicle.owner")
    delivered_on = date(2024, 5, 1)
    price = 150000
    kind = vehicle_choices.SaleKind.NEW


class ServiceVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceVisit

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    vehicle = factory.SubFactory(VehicleFactory, dealer=factory.SelfAttribute("..dealer"))
    customer = factory.SelfAttribute("vehicle.owner")
    kind = vehicle_choices.VisitKind.MAINTENANCE
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    mileage_km = 10000
    amount = 480


class RelatedPurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedPurchase

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    vehicle = factory.SubFactory(VehicleFactory, dealer=factory.SelfAttribute("..dealer"))
    customer = factory.SelfAttribute("vehicle.owner")
    kind = vehicle_choices.RelatedKind.INSURANCE
    purchased_on = date(2025, 1, 10)
    expires_on = date(2026, 1, 9)
    amount = 5200
    provider = "中国人保"

