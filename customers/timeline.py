"""The customer 360 timeline: everything that happened with a customer, newest first, from every app.

Apps add a source with `register_source`; calls, complaints and surveys join the timeline that way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.scope import Scope

from .models import Customer


@dataclass
class TimelineEvent:
    """One dated thing in a customer's history."""

    at: datetime
    kind: str
    title: str
    dealer_id: int | None = None
    dealer_name: str = ""
    object_type: str = ""
    object_id: int | None = None
    detail: dict = field(default_factory=dict)


TimelineSource = Callable[[Scope, Customer], Iterable[TimelineEvent]]
_SOURCES: list[TimelineSource] = []


def register_source(source: TimelineSource) -> TimelineSource:
    """Add a source of timeline events (used as a decorator)."""
    _SOURCES.append(source)
    return source


def as_datetime(value: date | datetime) -> datetime:
    """Dates become the start of that day in the local time zone, so events sort together."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def customer_timeline(scope: Scope, customer: Customer, limit: int = 500) -> list[TimelineEvent]:
    """The customer's events from every source, newest first; each source reads through the scope."""
    events = [event for source in _SOURCES for event in source(scope, customer)]
    events.sort(key=lambda e: (e.at, e.object_id or 0), reverse=True)
    return events[:limit]


@register_source
def _sales(scope: Scope, customer: Customer):
    from vehicles.models import Sale

    for sale in Sale.objects.scoped(scope).filter(customer=customer).select_related("dealer", "vehicle__model"):
        yield TimelineEvent(
            at=as_datetime(sale.delivered_on), kind="sale", dealer_id=sale.dealer_id, dealer_name=sale.dealer.name,
            title=_("Bought %(vehicle)s") % {"vehicle": sale.vehicle.model or sale.vehicle.vin},
            object_type="sale", object_id=sale.pk,
            detail={"vin": sale.vehicle.vin, "kind": sale.kind, "price": str(sale.price or ""),
                    "vehicle_id": sale.vehicle_id},
        )


@register_source
def _visits(scope: Scope, customer: Customer):
    from vehicles.models import ServiceVisit

    visits = ServiceVisit.objects.scoped(scope).filter(customer=customer).select_related("dealer", "vehicle")
    for visit in visits:
        yield TimelineEvent(
            at=visit.opened_at, kind="service_visit", dealer_id=visit.dealer_id, dealer_name=visit.dealer.name,
            title=_("%(kind)s at %(dealer)s") % {"kind": visit.get_kind_display(), "dealer": visit.dealer.name},
            object_type="service_visit", object_id=visit.pk,
            detail={"vin": visit.vehicle.vin, "plate": visit.vehicle.plate, "mileage_km": visit.mileage_km,
                    "vehicle_id": visit.vehicle_id,
                    "amount": str(visit.amount), "closed_at": visit.closed_at.isoformat() if visit.closed_at else None},
        )


@register_source
def _related(scope: Scope, customer: Customer):
    from vehicles.models import RelatedPurchase

    for row in RelatedPurchase.objects.scoped(scope).filter(customer=customer).select_related("dealer"):
        yield TimelineEvent(
            at=as_datetime(row.purchased_on), kind="related_purchase", dealer_id=row.dealer_id,
            dealer_name=row.dealer.name, title=row.get_kind_display(), object_type="related_purchase",
            object_id=row.pk,
            detail={"kind": row.kind, "expires_on": row.expires_on.isoformat() if row.expires_on else None,
                    "provider": row.provider},
        )


@register_source
def _leads(scope: Scope, customer: Customer):
    from .models import Lead

    leads = Lead.objects.scoped(scope).filter(customer=customer).select_related("dealer", "interested_model")
    for lead in leads:
        yield TimelineEvent(
            at=lead.created_at, kind="lead", dealer_id=lead.dealer_id, dealer_name=lead.dealer.name,
            title=_("Lead (%(source)s): %(stage)s") % {"source": lead.get_source_display(),
                                                         "stage": lead.get_stage_display()},
            object_type="lead", object_id=lead.pk,
            detail={"stage": lead.stage, "interested_model": str(lead.interested_model or "")},
        )


@register_source
def _ownership(scope: Scope, customer: Customer):
    from vehicles.models import Ownership

    for row in Ownership.objects.filter(tenant_id=scope.tenant_id, customer=customer).select_related("vehicle"):
        if row.kind == "transfer":
            yield TimelineEvent(
                at=as_datetime(row.started_on), kind="ownership", title=_("Took over vehicle %(vin)s") % {
                    "vin": row.vehicle.vin}, object_type="vehicle", object_id=row.vehicle_id,
            )
