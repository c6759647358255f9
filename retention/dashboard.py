"""The figures of the HQ dashboard and the dealer scorecard, each from a fixed number of rollup queries."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm_site.scope import Scope

from . import selectors
from .choices import AGE_BAND_KEYS
from .models import Snapshot
from .snapshot import months_before


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


def change(now: float | int | None, before: float | int | None, *, rate: bool = False) -> dict | None:
    """The change of a figure against an earlier one: points for rates, per cent for counts."""
    if now is None or before is None:
        return None
    if rate:
        delta = (now - before) * 100
        return {"text": f"{delta:+.1f} pt", "up": delta > 0, "down": delta < 0}
    if not before:
        return None
    delta = (now - before) / before * 100
    return {"text": f"{delta:+.1f}%", "up": delta > 0, "down": delta < 0}


def complaints(scope: Scope, months: list[dt.date], *, dealer_id: int | None = None, region_id: int | None = None,
               by_dealer: bool = False):
    """Complaints opened per month (and per dealer) from the call center's monthly rollup, if it is installed."""
    if not apps.is_installed("callcenter"):
        return None
    from callcenter.models import ComplaintMonthly

    rows = ComplaintMonthly.objects.scoped(scope).filter(all_categories=True, month__in=months)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    if region_id is not None:
        rows = rows.filter(dealer__region_id=region_id)
    if by_dealer:
        return {(r["month"], r["dealer_id"]): r["n"] for r in
                rows.values("month", "dealer_id").annotate(n=Sum("opened")).order_by()}
    return {r["month"]: r["n"] for r in rows.values("month").annotate(n=Sum("opened")).order_by()}


def reach_rate(scope: Scope, month_start: dt.date, end: dt.date, *, dealer_id: int | None = None):
    """Follow-ups closed in the month that reached the customer, over those closed (the call center's board)."""
    if not apps.is_installed("callcenter"):
        return None
    from callcenter.board.selectors import Period, board_closed

    if dealer_id is not None:
        scope = Scope(tenant_id=scope.tenant_id, role=scope.role, dealer_ids=frozenset({dealer_id}),
                      user_id=scope.user_id)
    _queues, total = board_closed(scope, period=Period("month", month_start, end + dt.timedelta(days=1)))
    return total


def survey_figures(scope: Scope, month: dt.date, *, dealer_id: int | None = None) -> list[dict] | None:
    """The month's SSI and CSI-style indices and NPS (surveys app, DESIGN §9.4), or None when it is not there."""
    if not apps.is_installed("surveys"):
        return None
    try:
        from surveys.selectors import indices, templates_for
    except ImportError:
        return None
    figures = []
    for template in templates_for(scope).filter(kind__in=["ssi", "csi"]):
        rows = indices(scope=scope, template=template, month=month,
                       group_by="dealer" if dealer_id is not None else "tenant")
        row = next((r for r in rows if dealer_id is None or r.get("dealer") == dealer_id), None)
        figures.append({
            "code": f"survey-{template.pk}", "label": template.name, "kind": template.kind,
            "index": "—" if not row or row["index"] is None else f"{row['index']:.0f}",
            "nps": "—" if not row or row.get("nps") is None else f"{row['nps']:.0f}",
            "responses": row["responses"] if row else 0, "small": row["small_sample"] if row else True,
            "change": None if not row or row.get("change") is None else f"{row['change']:+.1f}",
        })
    return figures


def kpis(scope: Scope, current: Snapshot, compared: dict, *, dealer_id: int | None = None,
         region_id: int | None = None) -> list[dict]:
    """The headline KPIs with their change against last month and last year."""
    ids = [current.pk] + [s.pk for s in compared.values() if s is not None]
    groups = selectors.rollup_groups(scope, ids, "tenant", dealer_id=dealer_id, region_id=region_id)
    act = selectors.activity(scope, ids, dealer_id=dealer_id, region_id=region_id)

    def figures(snap):
        return groups.get((snap.pk, scope.tenant_id)) if snap else None

    def month_activity(snap):
        return act.get((snap.pk, scope.tenant_id)) if snap else None

    months = {key: (s.as_of.replace(day=1) if s else None) for key, s in (("now", current), *compared.items())}
    complaint_counts = complaints(scope, [m for m in months.values() if m], dealer_id=dealer_id,
                                  region_id=region_id)
    now_f, now_a = figures(current), month_activity(current)
    rows = []

    def add(code, label, definition, value_of, *, is_rate=False, shown=None):
        now = value_of(now_f, now_a, months["now"])
        before = {key: value_of(figures(s), month_activity(s), months[key]) for key, s in compared.items()}
        rows.append({"code": code, "label": label, "definition": definition,
                     "value": (pct(now) if is_rate else ("—" if now is None else f"{now:,}")) if shown is None
                     else shown(now),
                     "raw": now, "month": change(now, before["month"], rate=is_rate),
                     "year": change(now, before["year"], rate=is_rate)})

    add("deliveries", _("Deliveries"), _("Vehicles delivered from the 1st of the month to the date shown."),
        lambda f, a, m: a.deliveries if a else None)
    add("visits", _("Service visits"), _("Repair orders opened from the 1st of the month to the date shown."),
        lambda f, a, m: a.visits if a else None)
    add("owned_base", _("Owned base"), _("Vehicles the dealers sold, delivered by the date and not scrapped (保有)."),
        lambda f, a, m: f.total.owned_base if f else None)
    add("grasp_rate", _("Grasp rate"),
        _("Owned vehicles with a service visit at their selling dealer in the last %(n)s months ÷ owned base "
          "(客户掌握率).") % {"n": current.retained_months},
        lambda f, a, m: f.total.grasp_rate if f else None, is_rate=True)
    add("active_ratio", _("Active ratio"),
        _("Owned vehicles with a visit at their selling dealer in the last %(n)s months ÷ owned base.")
        % {"n": current.active_months}, lambda f, a, m: f.total.active_ratio if f else None, is_rate=True)
    add("lapsed", _("Lapsed"),
        _("Last visit at the selling dealer (or the delivery) %(a)s–%(b)s months ago.")
        % {"a": current.lapsed_months, "b": current.lost_months}, lambda f, a, m: f.total.lapsed if f else None)
    add("lost", pgettext("retention", "Lost"), _("Last visit at the selling dealer (or the delivery) over %(b)s months ago.")
        % {"b": current.lost_months}, lambda f, a, m: f.total.lost if f else None)
    add("defected", _("Defected in network"),
        _("Owned vehicles whose latest visit in the last %(n)s months was at another dealer of the network.")
        % {"n": current.retained_months}, lambda f, a, m: f.total.defected if f else None)
    if complaint_counts is not None:
        dealers = selectors_dealer_counts(scope, ids, dealer_id=dealer_id, region_id=region_id)

        def per_dealer(f, a, m):
            if m is None:
                return None
            snap = current if m == months["now"] else next((s for s in compared.values() if s and
                                                            s.as_of.replace(day=1) == m), None)
            n = dealers.get(snap.pk) if snap else None
            return round(complaint_counts.get(m, 0) / n, 2) if n else None

        add("complaints", _("Complaints per dealer"),
            _("Complaints opened in the month ÷ dealers (from the call center's monthly rollup)."), per_dealer,
            shown=lambda v: "—" if v is None else f"{v:.2f}")
    return rows


def selectors_dealer_counts(scope: Scope, snapshot_ids: list[int], *, dealer_id: int | None = None,
                            region_id: int | None = None) -> dict[int, int]:
    """Dealers with an activity row per snapshot (the dealers of the scope at each build)."""
    from .models import Activity

    rows = Activity.objects.scoped(scope).filter(snapshot_id__in=snapshot_ids)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    if region_id is not None:
        rows = rows.filter(region_id=region_id)
    return {r["snapshot_id"]: r["n"] for r in rows.values("snapshot_id").annotate(n=Count("id")).order_by()}


def age_curve_option(series: list[tuple[str, list[float | None]]]) -> dict:
    """ECharts option: grasp rate (%) by vehicle age band, one line per series."""
    return {
        "tooltip": {"trigger": "axis", "valueFormatter": "percent"},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "name": _("Years since delivery"), "nameLocation": "middle", "nameGap": 28,
                  "data": AGE_BAND_KEYS},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [{"name": name, "type": "line", "data": [None if v is None else round(v * 100, 1) for v in values],
                    "connectNulls": False} for name, values in series],
    }


def trend_option(labels: list[str], series: list[tuple[str, list[float | None]]]) -> dict:
    """ECharts option: rates (%) by month-end snapshot."""
    option = age_curve_option(series)
    option["xAxis"] = {"type": "category", "data": labels}
    return option


def heatmap_option(matrix: selectors.Matrix) -> dict:
    """ECharts heat map of the defection matrix: sellers down, workshops across, cars in each cell."""
    data, top = [], 1
    for y, seller in enumerate(matrix.sellers):
        for x, shop in enumerate(matrix.workshops):
            n = matrix.cells.get((seller.pk, shop.pk), 0)
            if seller.pk != shop.pk and n:
                data.append([x, y, n])
                top = max(top, n)
    return {
        "tooltip": {"position": "top"},
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": [d.code for d in matrix.workshops], "name": _("Serviced at"),
                  "axisLabel": {"rotate": 45}},
        "yAxis": {"type": "category", "data": [d.code for d in matrix.sellers], "name": _("Sold by"),
                  "inverse": True},
        "visualMap": {"min": 0, "max": top, "calculable": True, "orient": "horizontal", "left": "center",
                      "bottom": 0, "inRange": {"color": ["#fff5eb", "#d94801"]}},
        "series": [{"type": "heatmap", "data": data, "label": {"show": True}}],
    }


def month_ends(known: list[Snapshot], current: Snapshot, n: int = 12) -> list[Snapshot]:
    """The month-end snapshots of the last n months up to the current one (oldest first), the current last."""
    picked, seen = [], set()
    first = months_before(current.as_of, n)
    for snap in known:  # newest first
        if snap.as_of > current.as_of or snap.as_of <= first:
            continue
        month = snap.as_of.replace(day=1)
        if month not in seen:
            seen.add(month)
            picked.append(snap)
    return list(reversed(picked))
