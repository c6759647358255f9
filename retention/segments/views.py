"""The segments and association-rules pages (HQ and regions): launch a run, follow it, read and export the results."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm_site.imports.spreadsheets import sheet_response
from crm_site.models import audit
from crm_site.web import ScopeRequiredMixin

from ..access import RETENTION_EXPORT, SEGMENT_RUN, SEGMENT_VIEW
from ..models import CustomerValue
from . import jobs, selectors
from .forms import RuleFilterForm, RuleRunForm, SegmentRunForm
from .models import AnalysisRun
from .sentences import antecedent_phrase, cluster_sentence, rule_sentence

RULES_PER_PAGE = 50
TIER_LABELS = dict(CustomerValue.Tier.choices)


def export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def run_id_param(request) -> int | None:
    """?run=<id>: a malformed id is an unknown run (404), never a 500."""
    value = request.GET.get("run", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


def parameters_text(run: AnalysisRun) -> str:
    """A run's parameters as the page shows them."""
    p = run.parameters
    if run.kind == AnalysisRun.Kind.SEGMENTS:
        return _("k = %(k)s") % {"k": p["k"]} if p.get("k") else _("k chosen automatically")
    return _("support ≥ %(s)s%%, confidence ≥ %(c)s%%") % {"s": round(p["min_support"] * 100, 2),
                                                           "c": round(p["min_confidence"] * 100, 2)}


def decorate(run: AnalysisRun) -> AnalysisRun:
    run.parameters_text = parameters_text(run)
    run.error_text = jobs.error_text(run)
    run.step_text = jobs.STEPS.get(run.step, "")
    # Polled while it moves; one abandoned by its worker stops being polled (the next launch marks it failed).
    run.polling = run.active and run.updated_at >= timezone.now() - jobs.STALE_AFTER
    return run


class AnalysisPage(ScopeRequiredMixin, View):
    """What both pages share: the launch form, the run under way and the recent runs, the export."""

    read_permission = SEGMENT_VIEW
    kind = ""
    template_name = ""
    form_class = None

    def initial(self) -> dict:
        return {}

    def post(self, request):
        if not SEGMENT_RUN.allows(self.scope):
            raise PermissionDenied
        form = self.form_class(request.POST, scope=self.scope)
        if not form.is_valid():
            return self.render(request, form=form, status=400)
        jobs.analysis_run_queue(scope=self.scope, kind=self.kind, as_of=form.cleaned_data["as_of"],
                                parameters=form.parameters())
        return redirect(request.path)

    def get(self, request):
        run = selectors.run_shown(self.scope, self.kind, run_id_param(request))
        fmt = export_format(request)
        if fmt and run is not None:
            if not RETENTION_EXPORT.allows(self.scope):
                raise Http404
            audit(self.scope, "retention.export", run, table=self.kind, format=fmt, filters=request.GET.dict())
            title, header, rows = self.export(request, run)
            return sheet_response(fmt, f"{self.kind}-{run.as_of:%Y%m%d}-run{run.pk}", title, header, rows)
        return self.render(request, run=run)

    def render(self, request, *, form=None, run=None, status=200):
        may_run = SEGMENT_RUN.allows(self.scope)
        if may_run and form is None:
            form = self.form_class(initial=self.initial(), scope=self.scope)
        recent = [decorate(r) for r in selectors.recent_runs(self.scope, self.kind)]
        active = next((r for r in recent if r.polling), None)
        if status != 200 and run is None:
            run = selectors.latest_done(self.scope, self.kind)
        context = {"form": form if may_run else None, "recent": recent, "active": active, "run": run,
                   "may_export": RETENTION_EXPORT.allows(self.scope), "kind": self.kind}
        if run is not None:
            decorate(run)
            context.update(self.results(request, run))
        return render(request, self.template_name, context, status=status)

    def results(self, request, run: AnalysisRun) -> dict:
        raise NotImplementedError

    def export(self, request, run: AnalysisRun) -> tuple[str, list, list]:
        raise NotImplementedError


def cluster_rows(clusters) -> list[dict]:
    rows = []
    for c in clusters:
        tiers = sorted(c.tier_mix.items(), key=lambda kv: -kv[1])
        rows.append({"c": c, "sentence": cluster_sentence(c.traits), "share": round(c.share * 100, 1),
                     "tiers": [(TIER_LABELS.get(t, t), round(s * 100)) for t, s in tiers]})
    return rows


def sizes_option(rows: list[dict]) -> dict:
    """ECharts: customers per cluster (bars) and the cluster's mean R, F and M (lines, right axis)."""
    names = [_("Cluster %(n)s") % {"n": r["c"].number} for r in rows]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": names},
        "yAxis": [{"type": "value", "name": _("Customers")}, {"type": "value", "name": "R / F / M", "min": 1, "max": 5}],
        "series": [{"name": _("Customers"), "type": "bar", "data": [r["c"].size for r in rows]},
                   *({"name": k.upper(), "type": "line", "yAxisIndex": 1,
                      "data": [round(getattr(r["c"], k), 2) for r in rows]} for k in ("r", "f", "m"))],
    }


class SegmentsPage(AnalysisPage):
    """k-means clusters of the customers: size, value and one plain sentence each."""

    kind = AnalysisRun.Kind.SEGMENTS
    template_name = "retention/segments.html"
    form_class = SegmentRunForm

    def initial(self) -> dict:
        return {"as_of": jobs.value_built_on(self.scope)}

    def results(self, request, run):
        rows = cluster_rows(selectors.clusters(self.scope, run))
        silhouettes = sorted((int(k), round(v, 3)) for k, v in run.summary.get("silhouettes", {}).items())
        return {"rows": rows, "chart": sizes_option(rows), "silhouettes": silhouettes,
                "algorithm": run.summary.get("algorithm", "")}

    def export(self, request, run):
        rows = cluster_rows(selectors.clusters(self.scope, run))
        header = [_("Cluster"), _("Customers"), _("Share of the base (%)"), _("Description"), "R", "F", "M",
                  _("Visits (24 months)"), _("Spend (¥, 24 months)"), _("Value tiers (%)")]
        lines = [[r["c"].number, r["c"].size, r["share"], r["sentence"], round(r["c"].r, 2), round(r["c"].f, 2),
                  round(r["c"].m, 2), round(r["c"].visits, 2), round(r["c"].spend, 2),
                  ", ".join(f"{label} {share}%" for label, share in r["tiers"])] for r in rows]
        return _("Customer segments"), header, lines


def top_rules_option(rules) -> dict:
    """ECharts: the strongest rules by lift (horizontal bars), labelled by their attributes and series."""
    shown = list(rules)[:15]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("Lift")},
        "yAxis": {"type": "category", "inverse": True, "axisLabel": {"width": 180, "overflow": "truncate"},
                  "data": [f"{antecedent_phrase(r.antecedent)} → {r.consequent}" for r in shown]},
        "series": [{"name": _("Lift"), "type": "bar", "data": [round(r.lift, 2) for r in shown]}],
    }


class RulesPage(AnalysisPage):
    """Rules attributes → series bought, sortable by lift, confidence, support and customers covered."""

    kind = AnalysisRun.Kind.RULES
    template_name = "retention/association_rules.html"
    form_class = RuleRunForm

    def initial(self) -> dict:
        return {"as_of": timezone.localdate() - dt.timedelta(days=1)}

    def filtered(self, request, run):
        series = sorted(run.summary.get("series", {}))
        form = RuleFilterForm(request.GET or None, series=series)
        if form.is_bound and not form.is_valid():
            return form, None
        filters = form.filters() if form.is_bound else {"order": "lift"}
        return form, selectors.rules(self.scope, run, **filters)

    def results(self, request, run):
        form, rows = self.filtered(request, run)
        if rows is None:
            return {"filter_form": form, "page_obj": None, "rules": [], "invalid": True}
        page = Paginator(rows, RULES_PER_PAGE).get_page(request.GET.get("page"))
        rules = list(page.object_list)
        for rule in rules:
            rule.sentence = rule_sentence(rule)
            rule.support_pct = round(rule.support * 100, 2)
            rule.confidence_pct = round(rule.confidence * 100, 1)
        query = request.GET.copy()
        query.pop("page", None)
        order_query = request.GET.copy()
        order_query.pop("page", None)
        order_query.pop("order", None)
        return {"filter_form": form, "page_obj": page, "rules": rules, "chart": top_rules_option(rules),
                "query_string": query.urlencode(), "order_query": order_query.urlencode(),
                "order": (form.cleaned_data.get("order") if form.is_bound else "") or "lift"}

    def export(self, request, run):
        form, rows = self.filtered(request, run)
        if rows is None:
            raise Http404
        header = [_("Rule"), _("Attributes"), _("Series"), _("Support (%)"), _("Confidence (%)"), _("Lift"),
                  _("Customers covered"), _("Customers with the attributes")]
        lines = ([rule_sentence(r), antecedent_phrase(r.antecedent), r.consequent, round(r.support * 100, 2),
                  round(r.confidence * 100, 2), round(r.lift, 3), r.customers, r.antecedent_customers]
                 for r in rows.iterator())
        return _("Association rules"), header, lines


class RunProgress(ScopeRequiredMixin, View):
    """The progress fragment htmx polls while a run is under way; a finished run makes the page reload once."""

    read_permission = SEGMENT_VIEW

    def get(self, request, kind: str, pk: int):
        if kind not in AnalysisRun.Kind.values:
            raise Http404
        run = decorate(get_object_or_404(selectors.runs(self.scope, kind), pk=pk))
        response = render(request, "retention/_analysis_progress.html", {"active": run, "kind": kind})
        if not run.polling and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response

