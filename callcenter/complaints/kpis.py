"""Complaint KPIs: monthly rollups per dealer (and per category), rebuilt set-based; the board reads only these.

Per dealer and month: complaints opened, per 100 deliveries and per 100 service visits, first contact and resolution
within commitment (%), mean and 90th percentile hours to first contact and to resolution (working hours of the
dealer's calendar, measured when the step happened), reopen rate; the same per category.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from crm_site.scope import Scope

from ..models import Complaint, ComplaintMonthly, ComplaintSettings

MEASURES = """
    count(*) AS opened,
    count(c.first_contact_hours) AS contacted,
    count(*) FILTER (WHERE c.first_contact_in_time) AS contacted_in_time,
    count(c.resolution_hours) AS resolved,
    count(*) FILTER (WHERE c.resolution_in_time) AS resolved_in_time,
    count(*) FILTER (WHERE c.reopen_count > 0) AS reopened,
    avg(c.first_contact_hours) AS contact_hours_mean,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY c.first_contact_hours) AS contact_hours_p90,
    avg(c.resolution_hours) AS resolution_hours_mean,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY c.resolution_hours) AS resolution_hours_p90
"""
COLUMNS = ("opened", "contacted", "contacted_in_time", "resolved", "resolved_in_time", "reopened",
           "contact_hours_mean", "contact_hours_p90", "resolution_hours_mean", "resolution_hours_p90")


def _month_sql(column: str) -> str:
    return f"date_trunc('month', {column} AT TIME ZONE %(tz)s)::date"


def touched_months(tenant_id: int, since: dt.datetime | None) -> list[dt.date] | None:
    """Months whose complaints changed since the last build (None: every month, for a first build)."""
    if since is None:
        return None
    table = Complaint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {_month_sql('opened_at')} FROM {table} "  # noqa: S608
                       "WHERE tenant_id = %(tenant)s AND updated_at > %(since)s",
                       {"tenant": tenant_id, "since": since, "tz": timezone.get_current_timezone_name()})
        return [row[0] for row in cursor.fetchall()]


def complaints_rollup_rebuild(*, scope: Scope, months: list[dt.date] | None = None, full: bool = False) -> int:
    """Rebuild the rollup rows of the touched months (all months on the first build); returns rows written."""
    from vehicles.models import Sale, ServiceVisit

    started = timezone.now()
    settings, _created = ComplaintSettings._base_manager.get_or_create(tenant_id=scope.tenant_id)
    if months is None and not full:
        months = touched_months(scope.tenant_id, settings.rollup_built_at)
    if months is not None and not months:
        ComplaintSettings._base_manager.filter(pk=settings.pk).update(rollup_built_at=started)
        return 0
    params = {"tenant": scope.tenant_id, "tz": timezone.get_current_timezone_name(), "months": months}
    month_filter = "" if months is None else "AND {m} = ANY(%(months)s)"
    rollup, complaint = ComplaintMonthly._meta.db_table, Complaint._meta.db_table
    cols = ", ".join(COLUMNS)
    sql_delete = f"DELETE FROM {rollup} WHERE tenant_id = %(tenant)s" + (  # noqa: S608
        "" if months is None else " AND month = ANY(%(months)s)")
    c_month = _month_sql("c.opened_at")
    sql_categories = f"""
        INSERT INTO {rollup} (tenant_id, created_at, updated_at, dealer_id, month, all_categories, category_id,
                              {cols}, deliveries, service_visits)
        SELECT %(tenant)s, now(), now(), c.dealer_id, {c_month}, false, c.category_id, {MEASURES}, 0, 0
        FROM {complaint} c WHERE c.tenant_id = %(tenant)s {month_filter.format(m=c_month)}
        GROUP BY c.dealer_id, {c_month}, c.category_id
    """  # noqa: S608 (table names from _meta, values as parameters)
    s_month = "date_trunc('month', s.delivered_on)::date"
    v_month = _month_sql("v.opened_at")
    sql_totals = f"""
        WITH c AS (
            SELECT c.dealer_id, {c_month} AS month, {MEASURES}
            FROM {complaint} c WHERE c.tenant_id = %(tenant)s {month_filter.format(m=c_month)}
            GROUP BY c.dealer_id, {c_month}
        ), s AS (
            SELECT s.dealer_id, {s_month} AS month, count(*) AS deliveries FROM {Sale._meta.db_table} s
            WHERE s.tenant_id = %(tenant)s {month_filter.format(m=s_month)} GROUP BY 1, 2
        ), v AS (
            SELECT v.dealer_id, {v_month} AS month, count(*) AS service_visits FROM {ServiceVisit._meta.db_table} v
            WHERE v.tenant_id = %(tenant)s {month_filter.format(m=v_month)} GROUP BY 1, 2
        ), keys AS (
            SELECT dealer_id, month FROM c UNION SELECT dealer_id, month FROM s UNION SELECT dealer_id, month FROM v
        )
        INSERT INTO {rollup} (tenant_id, created_at, updated_at, dealer_id, month, all_categories, category_id,
                              {cols}, deliveries, service_visits)
        SELECT %(tenant)s, now(), now(), k.dealer_id, k.month, true, NULL,
               {", ".join(f"coalesce(c.{name}, 0)" if not name.endswith(("mean", "p90")) else f"c.{name}"
                          for name in COLUMNS)},
               coalesce(s.deliveries, 0), coalesce(v.service_visits, 0)
        FROM keys k LEFT JOIN c USING (dealer_id, month) LEFT JOIN s USING (dealer_id, month)
             LEFT JOIN v USING (dealer_id, month)
    """  # noqa: S608 (table names from _meta, values as parameters)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql_delete, params)
        cursor.execute(sql_categories, params)
        written = cursor.rowcount
        cursor.execute(sql_totals, params)
        written += cursor.rowcount
        ComplaintSettings._base_manager.filter(pk=settings.pk).update(rollup_built_at=started)
    return written


def pct(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class KpiRow:
    """One line of the board: a dealer, a region, a month or a category, with its figures."""

    key: object
    label: str
    opened: int = 0
    contacted: int = 0
    contacted_in_time: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    reopened: int = 0
    deliveries: int = 0
    service_visits: int = 0
    contact_hours_mean: float | None = None
    contact_hours_p90: float | None = None
    resolution_hours_mean: float | None = None
    resolution_hours_p90: float | None = None

    @property
    def per_100_deliveries(self):
        return round(100 * self.opened / self.deliveries, 2) if self.deliveries else None

    @property
    def per_100_visits(self):
        return round(100 * self.opened / self.service_visits, 2) if self.service_visits else None

    @property
    def contact_in_time_pct(self):
        return pct(self.contacted_in_time, self.contacted)

    @property
    def resolution_in_time_pct(self):
        return pct(self.resolved_in_time, self.resolved)

    @property
    def reopen_rate(self):
        return pct(self.reopened, self.resolved)


SUMMED = ("opened", "contacted", "contacted_in_time", "resolved", "resolved_in_time", "reopened", "deliveries",
          "service_visits")


def _rows(queryset, key: str, label) -> list[KpiRow]:
    """Rollup rows grouped by one key; sums add up, means are weighted by their counts, the p90 is the worst."""
    grouped: dict = {}
    for row in queryset:
        k = getattr(row, key) if not callable(key) else key(row)
        item = grouped.setdefault(k, KpiRow(key=k, label=label(row)))
        for name in SUMMED:
            setattr(item, name, getattr(item, name) + getattr(row, name))
        for measure, weight in (("contact_hours", "contacted"), ("resolution_hours", "resolved")):
            mean = getattr(row, f"{measure}_mean")
            if mean is not None:
                total = getattr(item, f"_{measure}_sum", 0.0) + mean * getattr(row, weight)
                setattr(item, f"_{measure}_sum", total)
                n = getattr(item, weight)
                setattr(item, f"{measure}_mean", round(total / n, 1) if n else None)
                p90 = getattr(row, f"{measure}_p90")
                current = getattr(item, f"{measure}_p90")
                setattr(item, f"{measure}_p90", round(max(p90, current or 0), 1))
    return list(grouped.values())


def board(scope: Scope, months: list[dt.date]) -> dict:
    """The board's figures for some months: trend by month, ranking of dealers and regions, and by category."""
    rollup = ComplaintMonthly.objects.scoped(scope).filter(month__in=months)
    totals = list(rollup.filter(all_categories=True).select_related("dealer__region").order_by("month"))
    by_month = _rows(totals, "month", lambda r: r.month.strftime("%Y-%m"))
    dealers = sorted(_rows(totals, "dealer_id", lambda r: f"{r.dealer.code} {r.dealer.name}"),
                     key=lambda r: (-(r.per_100_deliveries or 0), -r.opened))
    regions = sorted(_rows(totals, lambda r: r.dealer.region_id, lambda r: r.dealer.region.name),
                     key=lambda r: -r.opened)
    categories = sorted(_rows(rollup.filter(all_categories=False).select_related("category"), "category_id",
                              lambda r: r.category.name if r.category else "—"), key=lambda r: -r.opened)
    total = _rows(totals, lambda r: "all", lambda r: "all")
    return {"by_month": by_month, "dealers": dealers, "regions": regions, "categories": categories,
            "total": total[0] if total else KpiRow(key="all", label="all")}


def opened_this_month(scope: Scope) -> int:
    """Complaints opened this month in the scope, from the rollup (the dealer widget's headline figure)."""
    month = timezone.localdate().replace(day=1)
    found = ComplaintMonthly.objects.scoped(scope).filter(Q(month=month) & Q(all_categories=True)) \
        .aggregate(n=Sum("opened"))
    return found["n"] or 0


def rollup_built_at(scope: Scope):
    """When the rollups the board reads were last rebuilt (None: never)."""
    return ComplaintSettings._base_manager.filter(tenant_id=scope.tenant_id).values_list(
        "rollup_built_at", flat=True).first()
