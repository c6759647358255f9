"""The walk-in look-up by VIN or plate (DESIGN §2): any vehicle of the tenant, marked whether the scope sees it.

One definition for the visit form's look-up, the API's `vehicles/lookup/` and the customer search box.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from crm_site.plugins import CustomerFinder
from crm_site.scope import Scope
from customers.models import Customer
from customers.selectors import WalkIn

from .models import Vehicle


def vehicles_by_key(tenant_id: int, *, vin: str = "", plate: str = "") -> QuerySet[Vehicle]:
    """The tenant's vehicles with this exact (normalised) VIN, else plate; a plate's latest holder first."""
    if vin:
        return Vehicle.objects.filter(tenant_id=tenant_id, vin=vin)
    if plate:
        return Vehicle.objects.filter(tenant_id=tenant_id, plate=plate).order_by("-updated_at", "-pk")
    return Vehicle.objects.none()


def vehicle_lookup(scope: Scope, *, vin: str = "", plate: str = "", limit: int = 5) -> list[WalkIn]:
    """Vehicles of the whole tenant by exact VIN or plate, each marked whether the scope sees it and its owner."""
    found = (vehicles_by_key(scope.tenant_id, vin=vin, plate=plate)
             .select_related("owner", "model", "selling_dealer")
             .annotate(in_scope=Exists(Vehicle.objects.scoped(scope).filter(pk=OuterRef("pk"))),
                       owner_in_scope=Exists(Customer.objects.scoped(scope).filter(pk=OuterRef("owner_id")))))
    return [WalkIn(customer=vehicle.owner, vehicle=vehicle, in_scope=vehicle.in_scope) for vehicle in found[:limit]]


def _customers(scope: Scope, kind: str, value: str) -> Q:
    owners = Vehicle.objects.filter(tenant_id=scope.tenant_id, **{kind: value}).values("owner_id")
    return Q(pk__in=owners)


def _walk_ins(scope: Scope, kind: str, value: str, limit: int) -> list[WalkIn]:
    return vehicle_lookup(scope, **{kind: value}, limit=limit)


def _prefetch(scope: Scope) -> Prefetch:
    # The results show each customer's vehicles, as far as the scope sees them.
    return Prefetch("vehicles", queryset=Vehicle.objects.scoped(scope).select_related("model").order_by("pk"))


CUSTOMER_FINDER = CustomerFinder(kinds=frozenset({"vin", "plate"}), customers=_customers, walk_ins=_walk_ins,
                                 prefetch=_prefetch)
