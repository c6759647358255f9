"""Export rows per kind, read only through Model.objects.scoped(scope), mobiles shown as the scope may see them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from crm_site.scope import Scope
from crm_site.validators import national_mobile
from customers.models import Customer, CustomerDealer
from customers.privacy import shown_mobile
from vehicles.models import Sale, ServiceVisit, Vehicle, VehicleDealer

from .kinds import CUSTOMERS, KINDS, SALES, SERVICE_VISITS, VEHICLES

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Export:
    """One kind's export: its columns, the scoped rows, and how one row is written."""

    kind: str
    columns: tuple[str, ...]
    queryset: Callable[[Scope], QuerySet]
    dealer_filter: Callable[[object], dict]
    date_field: str
    row: Callable[[Scope, object], list]


def _mobile(scope: Scope, customer: Customer | None, visible: bool = True) -> str:
    """The mobile as the scope may see it, in the 11-digit form people type (E.164 "+86…" looks like a formula)."""
    if customer is None or not visible:
        return ""
    return national_mobile(shown_mobile(scope, customer))


def _customer_in_scope(scope: Scope, field: str) -> Exists:
    """Whether the related customer is itself visible, so an export never names a person the scope cannot see."""
    return Exists(Customer.objects.scoped(scope).filter(pk=OuterRef(field)))


def _customers(scope: Scope) -> QuerySet:
    return Customer.objects.scoped(scope).only(
        "name", "mobile", "gender", "province", "city", "company_name", "created_at", "updated_at")


def _vehicles(scope: Scope) -> QuerySet:
    return Vehicle.objects.scoped(scope).select_related("model", "owner", "selling_dealer").annotate(
        owner_visible=_customer_in_scope(scope, "owner_id"))


def _sales(scope: Scope) -> QuerySet:
    return Sale.objects.scoped(scope).select_related("dealer", "vehicle__model", "customer").annotate(
        customer_visible=_customer_in_scope(scope, "customer_id"))


def _visits(scope: Scope) -> QuerySet:
    return ServiceVisit.objects.scoped(scope).select_related("dealer", "vehicle__model", "customer").annotate(
        customer_visible=_customer_in_scope(scope, "customer_id"))


def _model_code(vehicle: Vehicle) -> str:
    return vehicle.model.code if vehicle.model_id else ""


EXPORTS: dict[str, Export] = {
    CUSTOMERS: Export(
        CUSTOMERS,
        ("customer_id", "name", "mobile", "gender", "province", "city", "company_name", "created_at", "updated_at"),
        _customers,
        lambda dealer: {"pk__in": CustomerDealer.objects.filter(dealer=dealer).values("customer_id")},
        "created_at__date",
        lambda scope, c: [c.pk, c.name, _mobile(scope, c), c.get_gender_display(), c.province, c.city,
                          c.company_name, c.created_at, c.updated_at],
    ),
    VEHICLES: Export(
        VEHICLES,
        ("vin", "plate", "model_code", "model_name", "colour", "delivered_on", "mileage_km", "selling_dealer",
         "owner_name", "mobile", "updated_at"),
        _vehicles,
        lambda dealer: {"pk__in": VehicleDealer.objects.filter(dealer=dealer).values("vehicle_id")},
        "delivered_on",
        lambda scope, v: [v.vin, v.plate, _model_code(v), str(v.model) if v.model_id else "", v.colour, v.delivered_on,
                          v.mileage_km, v.selling_dealer.code if v.selling_dealer_id else "",
                          v.owner.name if v.owner_id and v.owner_visible else "",
                          _mobile(scope, v.owner, v.owner_visible), v.updated_at],
    ),
    SALES: Export(
        SALES,
        ("dealer_code", "external_id", "delivered_on", "kind", "price", "name", "mobile", "vin", "plate", "model_code",
         "updated_at"),
        _sales,
        lambda dealer: {"dealer": dealer},
        "delivered_on",
        lambda scope, s: [s.dealer.code, s.external_id, s.delivered_on, s.get_kind_display(), s.price,
                          s.customer.name if s.customer_visible else "", _mobile(scope, s.customer, s.customer_visible),
                          s.vehicle.vin, s.vehicle.plate, _model_code(s.vehicle), s.updated_at],
    ),
    SERVICE_VISITS: Export(
        SERVICE_VISITS,
        ("dealer_code", "external_id", "kind", "opened_at", "closed_at", "mileage_km", "amount", "vin", "plate",
         "model_code", "name", "mobile", "updated_at"),
        _visits,
        lambda dealer: {"dealer": dealer},
        "opened_at__date",
        lambda scope, v: [v.dealer.code, v.external_id, v.get_kind_display(), v.opened_at, v.closed_at, v.mileage_km,
                          v.amount, v.vehicle.vin, v.vehicle.plate, _model_code(v.vehicle),
                          v.customer.name if v.customer_id and v.customer_visible else "",
                          _mobile(scope, v.customer, v.customer_visible), v.updated_at],
    ),
}


def export_queryset(kind: str, scope: Scope, filters: dict) -> QuerySet:
    """The scoped rows of one kind, narrowed by the export form's filters (a dealer the scope sees, dates)."""
    spec = EXPORTS[kind]
    queryset = spec.queryset(scope)
    if filters.get("dealer") is not None:
        queryset = queryset.filter(**spec.dealer_filter(filters["dealer"]))
    if filters.get("updated_after"):
        queryset = queryset.filter(updated_at__gte=filters["updated_after"])
    if filters.get("date_from"):
        queryset = queryset.filter(**{f"{spec.date_field}__gte": filters["date_from"]})
    if filters.get("date_to"):
        queryset = queryset.filter(**{f"{spec.date_field}__lte": filters["date_to"]})
    return queryset.order_by("pk")


def export_header(kind: str) -> list[str]:
    """Column headers in the page language, the same names the import reads."""
    return [KINDS[kind].column(key).label() for key in EXPORTS[kind].columns]


def export_rows(kind: str, scope: Scope, filters: dict) -> Iterator[list]:
    """Rows streamed in chunks of 2,000 from one query (select_related, no per-row queries)."""
    spec = EXPORTS[kind]
    for obj in export_queryset(kind, scope, filters).iterator(chunk_size=CHUNK_SIZE):
        yield spec.row(scope, obj)
