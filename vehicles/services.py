"""Writes of the dealer workflows: record a sale, record a service visit (walk-ins too), transfer ownership."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.models import audit
from crm_site.scope import Scope
from crm_site.validators import (
    is_future,
    mileage_error,
    normalize_plate,
    normalize_vin,
    start_of_tomorrow,
    validate_not_future,
)
from customers.choices import LinkKind
from customers.leads import lead_win
from customers.models import Customer, Lead
from customers.services import customer_link_dealer, customer_upsert

from . import choices
from .lookup import vehicles_by_key
from .models import Ownership, RelatedPurchase, Sale, ServiceVisit, Vehicle, VehicleDealer, VehicleModel

VEHICLE_FIELDS = ("model", "colour", "delivered_on", "mileage_km")


def vehicle_link_dealer(*, vehicle: Vehicle, dealer_id: int, kind: str, external_id: str = "") -> VehicleDealer:
    """Link a vehicle to a dealer (idempotent), with the dealer system's own id for it."""
    link, created = VehicleDealer.objects.get_or_create(
        vehicle=vehicle, dealer_id=dealer_id,
        defaults={"tenant_id": vehicle.tenant_id, "kind": kind, "external_id": external_id},
    )
    if not created and external_id and link.external_id != external_id:
        if VehicleDealer.objects.filter(dealer_id=dealer_id, external_id=external_id).exclude(pk=link.pk).exists():
            raise ValidationError({"external_id": [_("Another vehicle already has this external id at this dealer.")]})
        link.external_id = external_id
        link.save(update_fields=["external_id", "updated_at"])
    return link


def vehicle_find(*, tenant_id: int, vin: str = "", plate: str = "") -> Vehicle | None:
    """A vehicle of the whole tenant by exact VIN or plate (a walk-in may have been sold by any dealer)."""
    return vehicles_by_key(tenant_id, vin=normalize_vin(vin) if vin else "",
                           plate=normalize_plate(plate) if plate else "").first()


@transaction.atomic
def vehicle_upsert(*, scope: Scope, dealer_id: int | None, vin: str, data: dict, link_kind: str = LinkKind.DMS,
                   external_id: str = "") -> tuple[Vehicle, bool]:
    """Find a vehicle by VIN in the tenant or create it; update the facts given; link it to the dealer."""
    vin = normalize_vin(vin)
    vehicle = Vehicle.objects.select_for_update().filter(tenant_id=scope.tenant_id, vin=vin).first()
    created = vehicle is None
    if created:
        vehicle = Vehicle(tenant_id=scope.tenant_id, vin=vin)
    if data.get("plate"):
        vehicle.plate = normalize_plate(data["plate"])
    model = data.get("model")
    if model is not None and not isinstance(model, VehicleModel):
        model = VehicleModel.objects.filter(tenant_id=scope.tenant_id, pk=model).first()
        if model is None:
            raise ValidationError({"model": [_("Unknown vehicle model.")]})
    for field in VEHICLE_FIELDS:
        value = model if field == "model" else data.get(field)
        if value not in (None, ""):
            setattr(vehicle, field, value)
    if data.get("owner") is not None:
        vehicle.owner = data["owner"]
    vehicle.full_clean(exclude=["tenant", "owner", "selling_dealer", "model"])
    vehicle.save()
    if dealer_id:
        vehicle_link_dealer(vehicle=vehicle, dealer_id=dealer_id, kind=link_kind, external_id=external_id)
    return vehicle, created


def _check_not_future(field: str, value) -> None:
    """A visit or a sale dated more than one day ahead (Asia/Shanghai) is a typo or a wrong clock: refuse it."""
    try:
        validate_not_future(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _start_ownership(vehicle: Vehicle, customer: Customer, kind: str, on: date) -> None:
    """Close the current ownership if someone else held the car, and open the new owner's."""
    current = Ownership.objects.filter(vehicle=vehicle, ended_on__isnull=True).first()
    if current is not None and current.customer_id == customer.pk:
        return
    if current is not None:
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on", "updated_at"])
    Ownership.objects.create(tenant_id=vehicle.tenant_id, vehicle=vehicle, customer=customer, kind=kind,
                             started_on=on)
    vehicle.owner = customer
    vehicle.save(update_fields=["owner", "updated_at"])


def _existing(model, dealer_id: int, external_id: str):
    """The dealer's record with this external id, locked until the write commits (None without an id or a match)."""
    if not external_id:
        return None
    return model.objects.select_for_update().filter(dealer_id=dealer_id, external_id=external_id).first()


@transaction.atomic
def sale_record(*, scope: Scope, dealer_id: int, customer_data: dict, vehicle_data: dict, delivered_on: date,
                consultant=None, price=None, kind: str = choices.SaleKind.NEW, external_id: str = "",
                lead: Lead | None = None, customer: Customer | None = None) -> tuple[Sale, bool]:
    """Record a delivery: customer and vehicle matched or created in one step, the dealer linked to both.

    Returns the sale and whether it is new (one with this dealer's external id is updated, its row locked).
    """
    _check_not_future("delivered_on", delivered_on)
    if customer is None:
        customer, _new = customer_upsert(scope=scope, dealer_id=dealer_id, data=customer_data,
                                         link_kind=LinkKind.SOLD, external_id=customer_data.get("external_id", ""))
    else:
        customer_link_dealer(customer=customer, dealer_id=dealer_id, kind=LinkKind.SOLD)
    vehicle, _new = vehicle_upsert(scope=scope, dealer_id=dealer_id, vin=vehicle_data.get("vin", ""),
                                   data={**vehicle_data, "delivered_on": delivered_on}, link_kind=LinkKind.SOLD,
                                   external_id=vehicle_data.get("external_id", ""))
    if vehicle.selling_dealer_id is None or kind != choices.SaleKind.NEW:
        vehicle.selling_dealer_id = dealer_id
        vehicle.save(update_fields=["selling_dealer", "updated_at"])
    _start_ownership(vehicle, customer, choices.OwnershipKind.SALE, delivered_on)
    sale = _existing(Sale, dealer_id, external_id) or Sale(tenant_id=scope.tenant_id, dealer_id=dealer_id,
                                                          external_id=external_id)
    created = sale.pk is None
    sale.vehicle, sale.customer, sale.consultant, sale.lead = vehicle, customer, consultant, lead
    sale.kind, sale.delivered_on, sale.price = kind, delivered_on, price
    sale.full_clean(exclude=["tenant", "dealer", "vehicle", "customer", "consultant", "lead"])
    sale.save()
    if lead is not None:
        lead_win(scope=scope, lead=lead, customer_id=customer.pk)
    return sale, created


@transaction.atomic
def service_visit_record(*, scope: Scope, dealer_id: int, kind: str, opened_at, vin: str = "", plate: str = "",
                         vehicle_data: dict | None = None, customer_data: dict | None = None, advisor=None,
                         closed_at=None, mileage_km: int | None = None, amount=0, external_id: str = "",
                         odometer_replaced: bool = False, owner_unknown: bool = False) -> tuple[ServiceVisit, bool]:
    """Record a repair order by VIN or plate; a walk-in whose car another dealer sold is linked to this dealer.

    Plausible only: opened at most a day ahead; a mileage below the vehicle's last known one needs
    `odometer_replaced`; a vehicle registered here needs its owner or `owner_unknown`. A visit dated after today
    never becomes the vehicle's mileage. Returns the visit and whether it is new (the same repair order number of
    the dealer updates it).
    """
    _check_not_future("opened_at", opened_at)
    _check_not_future("closed_at", closed_at)
    owner_given = bool(customer_data and (customer_data.get("mobile") or customer_data.get("name")))
    vehicle = vehicle_find(tenant_id=scope.tenant_id, vin=vin, plate=plate)
    if vehicle is None:
        if not vin:
            raise ValidationError({"plate": [_("No vehicle with this plate: enter its VIN to register it.")]})
        if not owner_given and not owner_unknown:
            raise ValidationError({"customer_data": [OWNER_REQUIRED]})
        vehicle, _new = vehicle_upsert(scope=scope, dealer_id=dealer_id, vin=vin,
                                       data={**(vehicle_data or {}), "plate": plate or (vehicle_data or {}).get("plate")},
                                       link_kind=LinkKind.SERVICED)
    else:
        vehicle_link_dealer(vehicle=vehicle, dealer_id=dealer_id, kind=LinkKind.SERVICED)
    customer = vehicle.owner
    if owner_given:
        customer, _new = customer_upsert(scope=scope, dealer_id=dealer_id, data=customer_data,
                                         link_kind=LinkKind.SERVICED)
        if vehicle.owner_id is None:
            # The first owner recorded for a car nobody owned on record: a registration, not a transfer (二手车).
            _start_ownership(vehicle, customer, choices.OwnershipKind.REGISTERED, timezone.localdate())
    elif customer is not None:
        customer_link_dealer(customer=customer, dealer_id=dealer_id, kind=LinkKind.SERVICED)
    visit = _existing(ServiceVisit, dealer_id, external_id) or ServiceVisit(
        tenant_id=scope.tenant_id, dealer_id=dealer_id, external_id=external_id)
    created = visit.pk is None
    problem = mileage_error(mileage_km=mileage_km, last_km=last_known_km(vehicle, opened_at, visit.pk),
                            odometer_replaced=odometer_replaced)
    if problem:
        raise ValidationError({"mileage_km": [problem]})
    visit.vehicle, visit.customer, visit.advisor, visit.kind = vehicle, customer, advisor, kind
    visit.opened_at, visit.closed_at, visit.mileage_km, visit.amount = opened_at, closed_at, mileage_km, amount or 0
    visit.full_clean(exclude=["tenant", "dealer", "vehicle", "customer", "advisor"])
    visit.save()
    # A visit dated after today never sets the mileage; a new odometer restarts the count (when this is the latest
    # reading); otherwise the last known mileage only grows.
    if mileage_km is not None and not is_future(opened_at) and (
            (vehicle.mileage_km or 0) < mileage_km or (odometer_replaced and not ServiceVisit.objects.filter(
                vehicle=vehicle, opened_at__gt=opened_at, opened_at__lt=start_of_tomorrow(),
                mileage_km__isnull=False).exists())):
        Vehicle.objects.filter(pk=vehicle.pk).update(mileage_km=mileage_km)
    return visit, created


OWNER_REQUIRED = _("Give the owner's name or mobile to register this vehicle, or say that the owner is unknown.")


def last_known_km(vehicle: Vehicle, opened_at, exclude_pk: int | None = None) -> int | None:
    """The mileage a reading at `opened_at` is checked against: the latest earlier visit's reading (so history may
    be filed in any order, and a replaced odometer counts from its new reading), else the vehicle's own."""
    earlier = ServiceVisit.objects.filter(vehicle=vehicle, mileage_km__isnull=False)
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    if not earlier.exists():
        return vehicle.mileage_km
    return earlier.filter(opened_at__lt=opened_at).order_by("-opened_at", "-id").values_list(
        "mileage_km", flat=True).first()


@transaction.atomic
def vehicle_transfer(*, scope: Scope, vehicle: Vehicle, on: date, new_owner: Customer | None = None,
                     customer_data: dict | None = None, dealer_id: int | None = None) -> Ownership:
    """Hand a vehicle to a new owner (二手车 / 置换): the old ownership ends, the new one starts."""
    if new_owner is None:
        new_owner, _new = customer_upsert(scope=scope, dealer_id=dealer_id, data=customer_data or {})
    if vehicle.owner_id == new_owner.pk:
        raise ValidationError({"new_owner": [_("This customer already owns the vehicle.")]})
    _start_ownership(vehicle, new_owner, choices.OwnershipKind.TRANSFER, on)
    audit(scope, "vehicle.transfer", vehicle, new_owner=new_owner.pk)
    return Ownership.objects.get(vehicle=vehicle, ended_on__isnull=True)


@transaction.atomic
def related_purchase_record(*, scope: Scope, dealer_id: int, customer: Customer, kind: str, purchased_on: date,
                            vehicle: Vehicle | None = None, expires_on: date | None = None, amount=None,
                            provider: str = "", external_id: str = "") -> tuple[RelatedPurchase, bool]:
    """Record insurance, extended warranty, accessories or finance sold with a car; returns it and whether it is new."""
    row = _existing(RelatedPurchase, dealer_id, external_id) or RelatedPurchase(
        tenant_id=scope.tenant_id, dealer_id=dealer_id, external_id=external_id)
    created = row.pk is None
    row.customer, row.vehicle, row.kind, row.purchased_on = customer, vehicle, kind, purchased_on
    row.expires_on, row.amount, row.provider = expires_on, amount, provider
    row.full_clean(exclude=["tenant", "dealer", "customer", "vehicle"])
    row.save()
    customer_link_dealer(customer=customer, dealer_id=dealer_id, kind=LinkKind.SOLD)
    return row, created
