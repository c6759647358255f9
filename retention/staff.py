"""Staff KPIs (绩效考核) per month and the dealers' stock (库存), read through the scope in grouped queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum

from crm_site.models import dealer_scope_q
from crm_site.scope import Scope
from customers.choices import LeadStage
from customers.models import Lead
from dealers.choices import Role
from dealers.models import User
from vehicles.models import Sale, ServiceVisit, Vehicle

from .selectors import rate
from .snapshot import local_midnight, months_before

STOCK_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the month and the first day of the next."""
    start = month.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


@dataclass
class ConsultantKpi:
    user: User
    leads: int = 0
    won: int = 0
    deliveries: int = 0

    @property
    def conversion(self) -> float | None:
        return rate(self.won, self.leads)


@dataclass
class AdvisorKpi:
    user: User
    visits: int = 0
    amount: float = 0
    returning: int = 0

    @property
    def returning_rate(self) -> float | None:
        return rate(self.returning, self.visits)


def staff_users(scope: Scope, role: str, dealer_id: int | None):
    rows = User.objects.scoped(scope).filter(role=role, is_active=True)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    return list(rows.select_related("dealer").order_by("dealer__code", "full_name", "username"))


def consultant_kpis(scope: Scope, month: dt.date, *, dealer_id: int | None = None) -> list[ConsultantKpi]:
    """Per sales consultant: leads handled in the month, won, conversion, deliveries (three queries)."""
    start, end = month_bounds(month)
    start_at, end_at = local_midnight(start), local_midnight(end)
    users = staff_users(scope, Role.SALES_CONSULTANT, dealer_id)
    ids = [u.pk for u in users]
    in_month = Q(created_at__gte=start_at, created_at__lt=end_at) | Q(stage_changed_at__gte=start_at,
                                                                       stage_changed_at__lt=end_at)
    leads = {r["assigned_to"]: r for r in Lead.objects.scoped(scope).filter(in_month, assigned_to__in=ids)
             .values("assigned_to").annotate(n=Count("id"), won=Count("id", filter=Q(
                 stage=LeadStage.WON, stage_changed_at__gte=start_at, stage_changed_at__lt=end_at))).order_by()}
    sales = dict(Sale.objects.scoped(scope).filter(consultant__in=ids, delivered_on__gte=start, delivered_on__lt=end)
                 .values("consultant").annotate(n=Count("id")).values_list("consultant", "n").order_by())
    return [ConsultantKpi(user=u, leads=leads.get(u.pk, {}).get("n", 0), won=leads.get(u.pk, {}).get("won", 0),
                          deliveries=sales.get(u.pk, 0)) for u in users]


def advisor_kpis(scope: Scope, month: dt.date, *, dealer_id: int | None = None) -> list[AdvisorKpi]:
    """Per service advisor: visits opened in the month, their amount, and how many came back (two queries)."""
    start, end = month_bounds(month)
    start_at, end_at = local_midnight(start), local_midnight(end)
    users = staff_users(scope, Role.SERVICE_ADVISOR, dealer_id)
    earlier = ServiceVisit.objects.filter(
        tenant_id=scope.tenant_id, vehicle_id=OuterRef("vehicle_id"), dealer_id=OuterRef("dealer_id"),
        opened_at__lt=OuterRef("opened_at"), opened_at__gte=local_midnight(months_before(start, 12)))
    rows = {r["advisor"]: r for r in ServiceVisit.objects.scoped(scope)
            .filter(advisor__in=[u.pk for u in users], opened_at__gte=start_at, opened_at__lt=end_at)
            .annotate(came_back=Exists(earlier))
            .values("advisor").annotate(n=Count("id"), amount=Sum("amount"),
                                        returning=Count("id", filter=Q(came_back=True))).order_by()}
    return [AdvisorKpi(user=u, visits=rows.get(u.pk, {}).get("n", 0), amount=float(rows.get(u.pk, {}).get("amount")
                                                                                     or 0),
                       returning=rows.get(u.pk, {}).get("returning", 0)) for u in users]


def stock_rows(scope: Scope):
    """Vehicles in the stock of a dealer the scope sees: received, not delivered, not scrapped."""
    return Vehicle.objects.filter(dealer_scope_q(scope, "stock_dealer_id"), stock_dealer__isnull=False,
                                  delivered_on__isnull=True, scrapped_on__isnull=True)


def bucket_filters(today: dt.date) -> dict[str, Q]:
    filters = {}
    for key, first, last in STOCK_BUCKETS:
        q = Q(in_stock_since__lte=today - dt.timedelta(days=first))
        if last is not None:
            q &= Q(in_stock_since__gte=today - dt.timedelta(days=last))
        filters[key] = q
    # A vehicle in stock with no date counts as the oldest: nobody knows how long it has waited.
    filters["90+"] |= Q(in_stock_since__isnull=True)
    return filters


def stock_summary(scope: Scope, today: dt.date, group: str) -> list[dict]:
    """Units in stock per dealer or per series, by days in stock (one grouped query)."""
    field = {"dealer": "stock_dealer_id", "series": "model__series"}[group]
    buckets = {key.replace("-", "_").replace("+", "_plus"): Count("id", filter=q)
               for key, q in bucket_filters(today).items()}
    rows = stock_rows(scope).values(field).annotate(total=Count("id"), **buckets).order_by(field)
    return [{"key": r[field], "total": r["total"], "buckets": [r[k] for k in buckets]} for r in rows]


def oldest_units(scope: Scope, today: dt.date, limit: int | None = 20):
    rows = (stock_rows(scope).select_related("model", "stock_dealer")
            .order_by("in_stock_since", "pk"))
    rows = rows[:limit] if limit else rows
    for vehicle in rows:
        vehicle.days_in_stock = (today - vehicle.in_stock_since).days if vehicle.in_stock_since else None
        yield vehicle


