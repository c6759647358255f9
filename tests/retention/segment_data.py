"""Synthetic customers for the segment and rule tests: groups with planted attributes, values and series bought.

Rows are bulk-created (hundreds of customers in a few statements); every customer is linked to dealer A1.
"""

from __future__ import annotations

import datetime as dt
import itertools

from customers.models import Customer, CustomerDealer
from retention.models import CustomerValue
from vehicles.models import Sale, Vehicle, VehicleModel

from ..vehicles.factories import make_vin

AS_OF = dt.date(2026, 11, 30)
_serial = itertools.count(1)


def series_model(tenant, series: str) -> VehicleModel:
    model, _new = VehicleModel.objects.get_or_create(
        tenant=tenant, code=f"S-{series}", defaults={
            "series": series, "name": f"{series} 标准版", "year": 2025, "fuel_type": "petrol", "price_band": "mid"})
    return model


def plant(dealer, count: int, *, series: str | None = None, value: dict | None = None, **attributes) -> list[Customer]:
    """`count` customers of the dealer with these attributes; each bought one vehicle of `series` (if given) and
    has a customer value row (if `value` is given: r, f, m, visits, spend, tier…)."""
    tenant = dealer.tenant
    customers = Customer.objects.bulk_create([
        Customer(tenant=tenant, name=f"客户{n}", mobile=f"+86137{n:08d}", **attributes)
        for n in (next(_serial) for _ in range(count))])
    CustomerDealer.objects.bulk_create([CustomerDealer(tenant=tenant, customer=c, dealer=dealer, kind="sold")
                                        for c in customers])
    if series is not None:
        model = series_model(tenant, series)
        vehicles = Vehicle.objects.bulk_create([
            Vehicle(tenant=tenant, vin=make_vin(next(_serial), prefix="LFV3A23K0D"), model=model, owner=c,
                    selling_dealer=dealer, delivered_on=AS_OF - dt.timedelta(days=200)) for c in customers])
        Sale.objects.bulk_create([Sale(tenant=tenant, dealer=dealer, vehicle=v, customer=v.owner,
                                       delivered_on=v.delivered_on, kind="new") for v in vehicles])
    if value is not None:
        defaults = {"recency_days": 30, "visits": 1, "spend": 500, "r": 3, "f": 3, "m": 3, "vehicles_bought": 1,
                    "rebuy": False, "related": 0, "referrals": 0, "referrals_won": 0, "tier": "growth"}
        CustomerValue.objects.bulk_create([CustomerValue(tenant=tenant, customer=c, as_of=AS_OF,
                                                         **(defaults | value)) for c in customers])
    return customers


def two_groups(dealer, size: int = 40) -> None:
    """Young high-earning men in Shanghai who come often, and retired low-income women in Tangshan who do not."""
    plant(dealer, size, series="星瀚", gender="male", birth_date=dt.date(1991, 6, 1), province="上海市", city="上海",
          occupation="工程师", income_band="high", education="bachelor",
          value={"r": 5, "f": 5, "m": 5, "visits": 6, "spend": 8000, "tier": "core", "recency_days": 10})
    plant(dealer, size, series="凌风", gender="female", birth_date=dt.date(1962, 6, 1), province="河北省", city="唐山",
          occupation="退休人员", income_band="low", education="secondary",
          value={"r": 1, "f": 1, "m": 1, "visits": 0, "spend": 0, "tier": "dormant", "recency_days": 700})
