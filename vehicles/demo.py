"""The vehicles app's demo data: the set-based generator over the demo dealers, and a working day for BJ01.

Registered in `VehiclesConfig.ready()` as a `crm_site.plugins.DemoData`; `seed_demo` runs it once, right after
it created the demo tenant (演示汽车, 12 dealers, one user per role). The generator adds the catalogue, staff
(`demo-<dealer>-sales1`, ...), customers, about `settings.DEMO_VEHICLES` vehicles over eight years with their
sales, service visits and related purchases, and leads in every stage. Then the demo's own BJ01 users get
something to do today: leads of `sales` due today and overdue, and visits opened today for `advisor`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from customers.choices import LeadStage
from customers.models import Lead, LeadStageChange
from dealers.models import Dealer, Tenant, User

from .choices import VisitKind
from .dataset import Options, generate
from .models import ServiceVisit, Vehicle

FUNNEL = (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.TEST_DRIVE, LeadStage.NEGOTIATION)
SEED = 2026  # the demo is the same network on every machine (for the same day)
LEADS_PER_DEALER = 150  # open and lost leads per dealer, besides the won ones behind sales
VISITS_PER_VEHICLE = 4.0
SALES, ADVISOR, DEALER = "sales", "advisor", "BJ01"  # the demo logins of dealers/demo.py that work at a dealer
PER_STAGE = 2  # open leads of `sales` per funnel stage with their next action today or in the past days
TODAY_VISITS = 5  # repair orders opened today at BJ01 by `advisor`, the first ones already closed


def fill(tenant: Tenant, log: Callable[[str], None]) -> None:
    """Generate the demo network's domain data over its existing dealers, then BJ01's day."""
    vehicles = settings.DEMO_VEHICLES
    options = Options(
        tenant=tenant.slug, dealers=Dealer.objects.filter(tenant=tenant).count(),  # no dealers added
        vehicles=vehicles, visits_per_vehicle=VISITS_PER_VEHICLE,
        leads_per_dealer=max(10, min(LEADS_PER_DEALER, vehicles // 30)), seed=SEED, append=True,
    )
    counts = generate(options, log=lambda message: log(f"  {message}"))
    log("  generated: " + ", ".join(f"{n:,} {what}" for what, n in sorted(counts.items())))
    dealer = Dealer.objects.filter(tenant=tenant, code=DEALER).first()
    if dealer is None:
        return
    sales = User.objects.filter(tenant=tenant, username=SALES, dealer=dealer).first()
    advisor = User.objects.filter(tenant=tenant, username=ADVISOR, dealer=dealer).first()
    if sales is not None:
        log(f"  {_due_leads(tenant, dealer, sales)} leads of {SALES} due today or overdue")
    if advisor is not None:
        log(f"  {_todays_visits(tenant, dealer, advisor)} visits opened today for {ADVISOR}")


def _due_leads(tenant: Tenant, dealer: Dealer, sales: User) -> int:
    """Give `sales` open leads in every funnel stage, due today and overdue: its own first, then handed over."""
    today = timezone.localdate()
    open_leads = Lead.objects.filter(tenant=tenant, dealer=dealer)
    chosen = []
    for stage in FUNNEL:
        at_stage = open_leads.filter(stage=stage).order_by("id")
        own = list(at_stage.filter(assigned_to=sales).values_list("id", flat=True)[:PER_STAGE])
        others = list(at_stage.exclude(assigned_to=sales).values_list("id", flat=True)[: PER_STAGE - len(own)])
        if others:  # handed over: the consultant now works them, and their history says so
            Lead.objects.filter(id__in=others).update(assigned_to=sales)
            LeadStageChange.objects.filter(lead_id__in=others).update(changed_by=sales)
        chosen += own + others
    for n, lead_id in enumerate(chosen):  # every other one due today, the rest one to five days overdue
        due = today if n % 2 == 0 else today - timedelta(days=1 + n // 2 % 5)
        Lead.objects.filter(id=lead_id).update(next_action_on=due)
    return len(chosen)


def _todays_visits(tenant: Tenant, dealer: Dealer, advisor: User) -> int:
    """Repair orders opened today at the dealer by the advisor, on vehicles it sold that have no open one."""
    now = timezone.localtime()
    midnight = timezone.make_aware(datetime.combine(now.date(), time()))
    busy = ServiceVisit.objects.filter(tenant=tenant, closed_at__isnull=True).values("vehicle_id")
    cars = list(Vehicle.objects.filter(
        tenant=tenant, selling_dealer=dealer, owner__isnull=False, scrapped_on__isnull=True,
    ).exclude(id__in=busy).order_by("-delivered_on", "id")[:TODAY_VISITS])
    numbered = ServiceVisit.objects.filter(tenant=tenant, dealer=dealer, external_id__startswith="RO").count()
    top = ServiceVisit.objects.filter(tenant=tenant, dealer=dealer).aggregate(top=Max("external_id"))["top"] or ""
    number = max(numbered, int(top[2:]) if top[2:].isdigit() else 0)
    kinds = [VisitKind.MAINTENANCE, VisitKind.REPAIR, VisitKind.MAINTENANCE, VisitKind.FIRST_MAINTENANCE,
             VisitKind.REPAIR]
    visits = []
    for n, car in enumerate(cars):
        # Spread over the morning so far; the earliest are done. Never in the future, never before midnight.
        opened = max(midnight + timedelta(minutes=1 + n), now - timedelta(minutes=40 * (len(cars) - n)))
        closed = opened + timedelta(minutes=30) if n < 2 and opened + timedelta(minutes=30) <= now else None
        mileage = (car.mileage_km or 0) + 800 + 300 * n
        visits.append(ServiceVisit(
            tenant=tenant, dealer=dealer, vehicle=car, customer_id=car.owner_id, advisor=advisor,
            kind=kinds[n % len(kinds)], opened_at=opened, closed_at=closed, mileage_km=mileage,
            amount=680 if closed else 0, external_id=f"RO{number + 1 + n:08d}",
        ))
        Vehicle.objects.filter(id=car.id).update(mileage_km=mileage)
    ServiceVisit.objects.bulk_create(visits)
    return len(visits)
