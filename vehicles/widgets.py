"""Landing-page widgets of the vehicles app: the store's day in figures, today's visits, vehicles due for maintenance."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget
from crm_site.timeline import as_datetime
from customers.models import Customer
from dealers.access import WidgetAccess

from .access import VEHICLE_EXPORT, VISIT_RECORD
from .models import Sale, ServiceVisit, Vehicle

SHOWN_VISITS = 30
SHOWN_DUE = 20
# About six months after the last visit or the delivery: the usual maintenance interval, with a month either side.
DUE_FROM_DAYS, DUE_TO_DAYS = 150, 210


def _store_today(request, scope) -> dict:
    """Deliveries and service visits of today and of this month, in two queries."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    sales = Sale.objects.scoped(scope).filter(delivered_on__gte=month_start, delivered_on__lte=today).aggregate(
        today=Count("id", filter=Q(delivered_on=today)), month=Count("id"))
    visits = ServiceVisit.objects.scoped(scope).filter(
        opened_at__gte=as_datetime(month_start), opened_at__lt=as_datetime(today + timedelta(days=1)),
    ).aggregate(today=Count("id", filter=Q(opened_at__gte=as_datetime(today))), month=Count("id"))
    return {"today": today, "month_start": month_start, "sales": sales, "visits": visits}


def _todays_visits(request, scope) -> dict:
    """Visits opened today at the advisor's dealer, theirs first, newest first, in one query."""
    today = timezone.localdate()
    mine = Case(When(advisor_id=scope.user_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    visits = list(
        ServiceVisit.objects.scoped(scope)
        .filter(opened_at__gte=as_datetime(today), opened_at__lt=as_datetime(today + timedelta(days=1)))
        .annotate(mine=mine, customer_in_scope=Exists(Customer.objects.scoped(scope).filter(pk=OuterRef("customer_id"))))
        .select_related("vehicle", "vehicle__model", "customer", "advisor")
        .order_by("mine", "-opened_at", "-id")[:SHOWN_VISITS + 1]
    )
    return {"visits": visits[:SHOWN_VISITS], "more": len(visits) > SHOWN_VISITS,
            "mine": sum(1 for visit in visits[:SHOWN_VISITS] if visit.mine == 0), "wide": True}


def _due_for_maintenance(request, scope) -> dict:
    """The scope's vehicles whose last visit here, or else their delivery, was 150 to 210 days ago; longest first."""
    today = timezone.localdate()
    last_visit = (ServiceVisit.objects.scoped(scope).filter(vehicle_id=OuterRef("pk"))
                  .order_by("-opened_at").values("opened_at")[:1])
    vehicles = list(
        Vehicle.objects.scoped(scope)
        .filter(scrapped_on__isnull=True)
        .annotate(last_visit_on=TruncDate(Subquery(last_visit), tzinfo=timezone.get_current_timezone()))
        # GREATEST ignores NULLs in PostgreSQL: a vehicle never serviced here counts from its delivery.
        .annotate(last_seen=Greatest("last_visit_on", "delivered_on"),
                  owner_in_scope=Exists(Customer.objects.scoped(scope).filter(pk=OuterRef("owner_id"))))
        .filter(last_seen__gte=today - timedelta(days=DUE_TO_DAYS), last_seen__lte=today - timedelta(days=DUE_FROM_DAYS))
        .select_related("model", "owner")
        .order_by("last_seen", "pk")[:SHOWN_DUE + 1]
    )
    for vehicle in vehicles:
        vehicle.days_since = (today - vehicle.last_seen).days
    return {"vehicles": vehicles[:SHOWN_DUE], "more": len(vehicles) > SHOWN_DUE, "shown": SHOWN_DUE,
            "due_from": DUE_FROM_DAYS, "due_to": DUE_TO_DAYS, "wide": True}


# Service advisors work the day's visits; the store's manager has the store's figures instead (VEHICLE_EXPORT: the
# manager is the one person of a store who takes its sales and visits out in bulk).
ADVISOR_WIDGETS = WidgetAccess(VISIT_RECORD, store=True, unless=VEHICLE_EXPORT)

WIDGETS = (
    Widget(code="store_today", title=_("Today at the store"), template="vehicles/_widget_store_today.html",
           context=_store_today, permission=WidgetAccess(VEHICLE_EXPORT, store=True), order=5),
    # HQ and regions see the same figures over every dealer of their scope (retention adds the network's KPIs).
    Widget(code="network_today", title=_("Today across your dealers"), template="vehicles/_widget_store_today.html",
           context=_store_today, permission=WidgetAccess(VEHICLE_EXPORT, store=False), order=5),
    Widget(code="todays_visits", title=_("Today's visits"), template="vehicles/_widget_todays_visits.html",
           context=_todays_visits, permission=ADVISOR_WIDGETS, order=30),
    Widget(code="due_maintenance", title=_("Due for maintenance"), template="vehicles/_widget_due_maintenance.html",
           context=_due_for_maintenance, permission=ADVISOR_WIDGETS, order=31),
)
