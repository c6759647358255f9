"""The vehicles app's timeline sources: purchases, service visits, related purchases and vehicles taken over.

The core reads each model through the scope (crm_site.timeline), so an event about a vehicle or a dealer the
viewer cannot see never shows.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.plugins import TimelineSource
from crm_site.timeline import TimelineEvent, as_datetime

from .choices import OwnershipKind
from .models import Ownership, RelatedPurchase, Sale, ServiceVisit


def _vehicle_link(vehicle_id: int) -> str:
    return reverse("vehicles:detail", args=[vehicle_id])


def _sale_event(sale: Sale) -> TimelineEvent:
    return TimelineEvent(
        at=as_datetime(sale.delivered_on), kind="sale", dealer_id=sale.dealer_id, dealer_name=sale.dealer.name,
        title=_("Bought %(vehicle)s") % {"vehicle": sale.vehicle.model or sale.vehicle.vin},
        object_type="sale", object_id=sale.pk, link=_vehicle_link(sale.vehicle_id),
        detail={"vin": sale.vehicle.vin, "plate": sale.vehicle.plate, "kind": sale.kind,
                "price": str(sale.price or ""), "vehicle_id": sale.vehicle_id},
    )


def _visit_event(visit: ServiceVisit) -> TimelineEvent:
    return TimelineEvent(
        at=visit.opened_at, kind="service_visit", dealer_id=visit.dealer_id, dealer_name=visit.dealer.name,
        title=_("%(kind)s at %(dealer)s") % {"kind": visit.get_kind_display(), "dealer": visit.dealer.name},
        object_type="service_visit", object_id=visit.pk, link=_vehicle_link(visit.vehicle_id),
        detail={"vin": visit.vehicle.vin, "plate": visit.vehicle.plate, "mileage_km": visit.mileage_km,
                "vehicle_id": visit.vehicle_id, "amount": str(visit.amount),
                "closed_at": visit.closed_at.isoformat() if visit.closed_at else None},
    )


def _related_event(row: RelatedPurchase) -> TimelineEvent:
    return TimelineEvent(
        at=as_datetime(row.purchased_on), kind="related_purchase", dealer_id=row.dealer_id,
        dealer_name=row.dealer.name, title=row.get_kind_display(), object_type="related_purchase", object_id=row.pk,
        detail={"kind": row.kind, "expires_on": row.expires_on.isoformat() if row.expires_on else None,
                "provider": row.provider},
    )


def _ownership_event(row: Ownership) -> TimelineEvent:
    return TimelineEvent(
        at=as_datetime(row.started_on), kind="ownership", title=_("Took over vehicle %(vin)s") % {"vin": row.vehicle.vin},
        object_type="vehicle", object_id=row.vehicle_id, link=_vehicle_link(row.vehicle_id),
        detail={"vin": row.vehicle.vin, "plate": row.vehicle.plate, "vehicle_id": row.vehicle_id},
    )


TIMELINE_SOURCES = (
    TimelineSource(
        kind="sale", label=gettext_lazy("Sale"), model=Sale, event=_sale_event,
        query=lambda rows, customer: rows.filter(customer=customer).select_related("dealer", "vehicle__model"),
    ),
    TimelineSource(
        kind="service_visit", label=gettext_lazy("Service"), model=ServiceVisit, event=_visit_event,
        query=lambda rows, customer: rows.filter(customer=customer).select_related("dealer", "vehicle"),
    ),
    TimelineSource(
        kind="related_purchase", label=gettext_lazy("Related"), model=RelatedPurchase, event=_related_event,
        query=lambda rows, customer: rows.filter(customer=customer).select_related("dealer"),
    ),
    TimelineSource(
        kind="ownership", label=gettext_lazy("Ownership"), model=Ownership, event=_ownership_event,
        query=lambda rows, customer: rows.filter(customer=customer, kind=OwnershipKind.TRANSFER)
        .select_related("vehicle"),
    ),
)
