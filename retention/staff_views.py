"""The staff KPI page (绩效考核) and the dealer stock page, both exportable."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm_site.imports.spreadsheets import sheet_response
from crm_site.models import audit
from crm_site.web import ScopeRequiredMixin
from dealers.models import Dealer

from . import staff
from .access import RETENTION_EXPORT, RETENTION_VIEW, STAFF_KPI_VIEW
from .dashboard import pct
from .forms import MonthForm


def _export(view, request, stem: str, title: str, header: list, rows):
    if not RETENTION_EXPORT.allows(view.scope):
        raise Http404
    fmt = request.GET["format"]
    audit(view.scope, "retention.export", None, table=stem, format=fmt, filters=request.GET.dict())
    return sheet_response(fmt, stem, title, header, rows)


class StaffKpis(ScopeRequiredMixin, View):
    """Per sales consultant and per service advisor, for one month, for dealer managers and HQ."""

    read_permission = STAFF_KPI_VIEW

    def get(self, request):
        form = MonthForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return render(request, "retention/staff.html", {"form": form}, status=400)
        data = form.cleaned_data if form.is_bound else {}
        month = (data.get("month") or timezone.localdate()).replace(day=1)
        dealer = None
        if data.get("dealer"):
            dealer = get_object_or_404(Dealer.objects.scoped(self.scope), pk=data["dealer"])
        dealer_id = dealer.pk if dealer else self.scope.single_dealer_id
        consultants = staff.consultant_kpis(self.scope, month, dealer_id=dealer_id)
        advisors = staff.advisor_kpis(self.scope, month, dealer_id=dealer_id)
        fmt = request.GET.get("format")
        stem = f"staff-kpis-{month:%Y%m}"
        if fmt in ("csv", "xlsx") and request.GET.get("table") == "advisors":
            return _export(self, request, f"{stem}-advisors", _("Service advisors"),
                           [_("Dealer"), _("Service advisor"), _("Visits"), _("Amount (¥)"), _("Came back"),
                            _("Came-back rate")],
                           ([a.user.dealer.code if a.user.dealer else "", str(a.user), a.visits, a.amount,
                             a.returning, a.returning_rate] for a in advisors))
        if fmt in ("csv", "xlsx"):
            return _export(self, request, f"{stem}-consultants", _("Sales consultants"),
                           [_("Dealer"), _("Sales consultant"), _("Leads handled"), _("Won"), _("Conversion"),
                            _("Deliveries")],
                           ([c.user.dealer.code if c.user.dealer else "", str(c.user), c.leads, c.won,
                             c.conversion, c.deliveries] for c in consultants))
        dealers = list(Dealer.objects.scoped(self.scope).order_by("code")) if self.scope.single_dealer_id is None \
            else []
        return render(request, "retention/staff.html", {
            "form": form, "month": month, "dealer": dealer, "dealers": dealers,
            "consultants": [{"k": c, "conversion": pct(c.conversion)} for c in consultants],
            "advisors": [{"k": a, "returning_rate": pct(a.returning_rate)} for a in advisors],
            "may_export": RETENTION_EXPORT.allows(self.scope), "query": request.GET.urlencode(),
        })


class Stock(ScopeRequiredMixin, View):
    """Vehicles received by a dealer and not yet sold: days in stock by ageing bucket, by dealer and series."""

    read_permission = RETENTION_VIEW

    def get(self, request):
        today = timezone.localdate()
        if request.GET.get("format") in ("csv", "xlsx"):
            return _export(self, request, f"stock-{today:%Y%m%d}", _("Stock"),
                           [_("VIN"), _("Series"), _("Model"), _("In stock at"), _("In stock since"),
                            _("Days in stock")],
                           ([v.vin, v.model.series if v.model else "", str(v.model) if v.model else "",
                             v.stock_dealer.code, v.in_stock_since or "", v.days_in_stock]
                            for v in staff.oldest_units(self.scope, today, limit=None)))
        by_dealer = staff.stock_summary(self.scope, today, "dealer")
        names = Dealer.objects.scoped(self.scope).in_bulk([r["key"] for r in by_dealer])
        for row in by_dealer:
            row["dealer"] = names.get(row["key"])
        by_series = staff.stock_summary(self.scope, today, "series")
        total = {"total": sum(r["total"] for r in by_dealer),
                 "buckets": [sum(r["buckets"][i] for r in by_dealer) for i in range(len(staff.STOCK_BUCKETS))]}
        return render(request, "retention/stock.html", {
            "today": today, "by_dealer": by_dealer, "by_series": by_series, "total": total,
            "buckets": [key for key, _first, _last in staff.STOCK_BUCKETS],
            "oldest": list(staff.oldest_units(self.scope, today)),
            "may_export": RETENTION_EXPORT.allows(self.scope),
            "chart": {
                "tooltip": {"trigger": "axis"}, "grid": {"left": 8, "right": 16, "top": 16, "bottom": 24,
                                                         "containLabel": True},
                "xAxis": {"type": "category", "data": [key for key, _f, _l in staff.STOCK_BUCKETS]},
                "yAxis": {"type": "value", "minInterval": 1},
                "series": [{"type": "bar", "name": _("Units"), "data": total["buckets"]}],
            },
        })
