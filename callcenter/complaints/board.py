"""The complaint board (KPIs from the monthly rollups) and the complaints export (CSV or XLSX, scoped, audited)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm_site.models import audit
from crm_site.web import ScopeRequiredMixin

from ..access import COMPLAINT_EXPORT
from . import kpis, selectors
from .filtersets import ComplaintFilterSet

MONTH_CHOICES = (3, 6, 12, 24)


class ComplaintBoard(ScopeRequiredMixin, View):
    """Complaints per dealer per month, commitments kept, times to contact and resolve, reopen rate, rankings."""

    read_permission = COMPLAINT_EXPORT

    def get(self, request):
        from .views import month_list

        months_text = request.GET.get("months", "12")
        count = int(months_text) if months_text.isdigit() and int(months_text) in MONTH_CHOICES else 12
        months = month_list(timezone.localdate(), count)
        figures = kpis.board(self.scope, months)
        labels = [m.strftime("%Y-%m") for m in months]
        by_month = {row.label: row for row in figures["by_month"]}
        trend = [by_month.get(label) for label in labels]
        option = {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [_("Complaints"), _("Resolved in time (%)")]},
            "xAxis": {"type": "category", "data": labels},
            "yAxis": [{"type": "value", "name": _("Complaints")}, {"type": "value", "name": "%", "max": 100}],
            "series": [
                {"name": _("Complaints"), "type": "bar", "data": [row.opened if row else 0 for row in trend]},
                {"name": _("Resolved in time (%)"), "type": "line", "yAxisIndex": 1,
                 "data": [row.resolution_in_time_pct if row else None for row in trend]},
            ],
        }
        return render(request, "callcenter/complaints/board.html", {
            **figures, "trend": list(zip(labels, trend, strict=True)), "option": option, "months": count,
            "month_choices": MONTH_CHOICES, "built_at": kpis.rollup_built_at(self.scope),
        })


EXPORT_COLUMNS = ("number", "opened_at", "dealer", "channel", "severity", "category", "status", "level",
                  "first_contact_due", "first_contact_at", "resolution_due", "resolved_at", "closed_at",
                  "reopen_count", "description")


def _headers() -> list[str]:
    return [_("Number"), _("Opened"), _("Dealer"), _("Channel"), _("Severity"), _("Category"), _("Status"),
            _("Level"), _("First contact due"), _("First contact"), _("Resolution due"), _("Resolved"), _("Closed"),
            _("Times reopened"), _("Description")]


def _row(c) -> list:
    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return [c.number, moment(c.opened_at), c.dealer.code, c.get_channel_display(), c.get_severity_display(),
            str(c.category) if c.category else "", c.get_status_display(), c.get_level_display(),
            moment(c.first_contact_due), moment(c.first_contact_at), moment(c.resolution_due),
            moment(c.resolved_at), moment(c.closed_at), c.reopen_count, c.description]


class _Echo:
    def write(self, value):
        return value


class ComplaintExport(ScopeRequiredMixin, View):
    """The complaints of the list's filters as CSV or XLSX; only the scope's rows, and the read is audited."""

    read_permission = COMPLAINT_EXPORT

    def get(self, request):
        queryset = selectors.complaints_for_list(self.scope)
        filterset = ComplaintFilterSet(request.GET or None, queryset=queryset, request=request)
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponse(str(filterset.errors), status=400, content_type="text/plain; charset=utf-8")
        rows = filterset.qs.order_by("pk")
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        audit(self.scope, "complaint.export", None, format=fmt, filters=request.GET.dict())
        stamp = timezone.localdate().strftime("%Y%m%d")
        if fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(_("Complaints"))
            sheet.append(_headers())
            for complaint in rows.iterator(chunk_size=2000):
                sheet.append(_row(complaint))
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument"
                                                                    ".spreadsheetml.sheet")
        else:
            writer = csv.writer(_Echo())

            def lines():
                yield "\ufeff" + writer.writerow(_headers())
                for complaint in rows.iterator(chunk_size=2000):
                    yield writer.writerow(_row(complaint))

            response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.{fmt}"'
        return response
