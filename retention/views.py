"""Retention pages: the HQ dashboard, the dealer scorecard, the vehicles behind a figure, the windows."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from crm_site.imports.spreadsheets import sheet_response
from crm_site.models import audit
from crm_site.scope import Scope
from crm_site.web import ScopeRequiredMixin
from customers.privacy import shown_mobile
from dealers.choices import DEALER_ROLES
from dealers.models import Dealer, Region

from . import dashboard, selectors
from .access import CAMPAIGN_CREATE, RETENTION_EXPORT, RETENTION_SETTINGS, RETENTION_VIEW, WIN_BACK_CREATE
from .choices import AGE_BAND_KEYS, AgeBand, State
from .forms import AsOfForm, SettingsForm, VehicleFilterForm
from .models import RetentionSettings

LIST_SHOWN = 20


def export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


class SnapshotMixin(ScopeRequiredMixin):
    """The snapshot asked for (?as_of=, default the newest) and the windows it was built with."""

    read_permission = RETENTION_VIEW
    form_class = AsOfForm

    def setup_snapshot(self, request):
        self.form = self.form_class(request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            return render(request, "retention/no_snapshot.html", {"form": self.form}, status=400)
        self.params = self.form.cleaned_data if self.form.is_bound else {}
        self.known = selectors.snapshots(self.scope)
        self.snapshot = selectors.snapshot_on(self.scope, self.params.get("as_of"), self.known)
        if self.snapshot is None:
            return render(request, "retention/no_snapshot.html", {"form": self.form, "known": self.known[:12]},
                          status=404 if self.params.get("as_of") else 200)
        self.settings = selectors.settings_of(self.scope)
        return None

    def export(self, request, stem: str, title: str, header: list, rows):
        """A table of the page as CSV or XLSX, for holders of RETENTION_EXPORT; the read is audited."""
        if not RETENTION_EXPORT.allows(self.scope):
            raise Http404
        fmt = export_format(request)
        audit(self.scope, "retention.export", None, table=stem, format=fmt, filters=request.GET.dict())
        return sheet_response(fmt, f"{stem}-{self.snapshot.as_of:%Y%m%d}", title, header, rows)

    def base_context(self) -> dict:
        return {"snapshot": self.snapshot, "form": self.form, "known": self.known[:24], "settings": self.settings,
                "may_export": RETENTION_EXPORT.allows(self.scope), "as_of": self.snapshot.as_of.isoformat(),
                "definitions": definitions(self.snapshot)}


def definitions(snapshot) -> dict:
    """The definitions shown next to the figures, with the windows of this snapshot."""
    return {
        "owned_base": _("Vehicles the dealer sold, delivered on or before %(d)s and not scrapped by then (保有客户).")
        % {"d": snapshot.as_of},
        "grasp_rate": _("Retained ÷ owned base; retained = at least one service visit at the selling dealer in the "
                        "%(n)s months before the date (客户掌握率).") % {"n": snapshot.retained_months},
        "active_ratio": _("Active ÷ owned base; active = a visit at the selling dealer in the last %(n)s months.")
        % {"n": snapshot.active_months},
        "lapsed": _("Last visit at the selling dealer, or the delivery if later or none, %(a)s to %(b)s months "
                    "before the date.") % {"a": snapshot.lapsed_months, "b": snapshot.lost_months},
        "lost": _("Last visit at the selling dealer, or the delivery, more than %(b)s months before the date.")
        % {"b": snapshot.lost_months},
        "defected": _("The latest visit in the last %(n)s months was at another dealer of the network.")
        % {"n": snapshot.retained_months},
        "small": _("Marked *: fewer than %(n)s vehicles, read with care.") % {"n": "{small}"},
    }


def group_rows(groups, *, link=None) -> list[dict]:
    """Rows of a ranking table: counts, rates as text, the small-base mark and the drill-down link."""
    rows = []
    for group in groups:
        t = group.total
        rows.append({"key": group.key, "code": group.code, "label": group.label, "f": t, "small": t.small,
                     "grasp": dashboard.pct(t.grasp_rate), "active": dashboard.pct(t.active_ratio),
                     "lapsed_rate": dashboard.pct(t.lapsed_rate), "lost_rate": dashboard.pct(t.lost_rate),
                     "defection_rate": dashboard.pct(t.defection_rate), "link": link(group) if link else ""})
    return rows


def band_rows(columns: list[tuple[str, selectors.Group | None]]) -> list[dict]:
    """One row per age band: for each column (dealer, region, network) its base, grasp rate and small mark."""
    rows = []
    for value, key in enumerate(AGE_BAND_KEYS):
        cells = []
        for _name, group in columns:
            f = group.bands[key] if group else selectors.Figures(small=True)
            cells.append({"f": f, "grasp": dashboard.pct(f.grasp_rate), "active": dashboard.pct(f.active_ratio),
                          "small": f.small})
        rows.append({"band": key, "value": value, "cells": cells})
    return rows


def only(groups: dict, snapshot_id: int):
    return next((g for (sid, _key), g in groups.items() if sid == snapshot_id), None)


class Dashboard(SnapshotMixin, View):
    """The network (or one region) for HQ and regions: KPIs and their change, the age curve, rankings, defection."""

    def get(self, request):
        if self.scope.role in DEALER_ROLES:
            # A store's manager sees the network through the store's scorecard.
            return MyScorecard.as_view()(request)
        answer = self.setup_snapshot(request)
        if answer is not None:
            return answer
        region = None
        if self.params.get("region"):
            region = get_object_or_404(Region.objects.scoped(self.scope), pk=self.params["region"])
        region_id = region.pk if region else None
        snap, small = self.snapshot, self.settings.small_base
        ranking = selectors.metrics(self.scope, snap, "dealer", region_id=region_id)
        table = request.GET.get("table", "dealers")
        if export_format(request) and table == "dealers":
            return self.export(request, "retention-dealers", _("Dealers"), ranking_header(), ranking_lines(ranking))
        if export_format(request) and table == "regions" and region is None:
            regions = selectors.metrics(self.scope, snap, "region")
            return self.export(request, "retention-regions", _("Regions"), ranking_header(), ranking_lines(regions))
        compared = selectors.comparisons(self.known, snap)
        kpis = dashboard.kpis(self.scope, snap, compared, region_id=region_id)
        network = only(selectors.rollup_groups(self.scope, [snap.pk], "tenant", region_id=region_id), snap.pk)
        if network:
            network.mark_small(small)
        regions = [] if region else selectors.metrics(self.scope, snap, "region")
        activity = selectors.activity(self.scope, [snap.pk], "dealer", region_id=region_id)
        complaints = dashboard.complaints(self.scope, [snap.as_of.replace(day=1)], region_id=region_id,
                                          by_dealer=True) or {}
        month = snap.as_of.replace(day=1)
        as_of = snap.as_of.isoformat()
        rows = group_rows(sorted(ranking, key=lambda g: (g.total.grasp_rate is None, -(g.total.grasp_rate or 0))),
                          link=lambda g: reverse("retention:scorecard", args=[g.key]) + "?" + urlencode({"as_of": as_of}))
        for rank, row in enumerate(rows, 1):
            a = activity.get((snap.pk, row["key"]))
            row |= {"rank": rank, "deliveries": a.deliveries if a else 0, "visits": a.visits if a else 0,
                    "complaints": complaints.get((month, row["key"]), 0),
                    "lapsed_link": vehicles_url(as_of, dealer=row["key"], state="lapsed")}
        if export_format(request) and table == "bands":
            return self.export(request, "retention-age-bands", _("Grasp rate by vehicle age"), band_header(),
                               band_lines(network))
        if export_format(request) and table == "defection":
            cells = selectors.defection(self.scope, snap)
            names = Dealer.objects.filter(tenant_id=self.scope.tenant_id).in_bulk()
            return self.export(request, "retention-defection", _("Defection in the network"),
                               [_("Sold by"), _("Serviced at"), _("Vehicles")],
                               ([names[c["dealer_id"]].code if c["dealer_id"] in names else "",
                                 names[c["serviced_by_id"]].code if c["serviced_by_id"] in names else "",
                                 c["vehicles"]] for c in cells))
        matrix = selectors.defection_matrix(self.scope, snap, region_id=region_id)
        reach = dashboard.reach_rate(self.scope, month, snap.as_of) if region is None else None
        label = region.name if region else _("Network")
        context = self.base_context() | {
            "region": region, "region_keep": [("region", region.pk)] if region else [], "kpis": kpis, "network": network, "rows": rows,
            "regions": group_rows(regions, link=lambda g: "?" + urlencode({"as_of": as_of, "region": g.key})),
            "bands": band_rows([(label, network)]),
            "curve": dashboard.age_curve_option([(label, [network.bands[k].grasp_rate if network else None
                                                          for k in AGE_BAND_KEYS])]),
            "matrix": matrix, "heatmap": dashboard.heatmap_option(matrix),
            "matrix_rows": [{"seller": s, "cells": [matrix.cells.get((s.pk, w.pk), 0) for w in matrix.workshops],
                             "out": matrix.outflow.get(s.pk, 0),
                             "link": vehicles_url(as_of, dealer=s.pk, defected=1)} for s in matrix.sellers],
            "reach": reach, "reach_text": dashboard.pct(reach.reach_rate) if reach else "—",
            "surveys": dashboard.survey_figures(self.scope, month, dealer_id=None) if region is None else None,
            "small_text": definitions(snap)["small"].replace("{small}", str(small)),
        }
        return render(request, "retention/dashboard.html", context)


def vehicles_url(as_of: str, **params) -> str:
    return reverse("retention:vehicles") + "?" + urlencode({"as_of": as_of, **params})


def band_header() -> list[str]:
    return [_("Years since delivery"), _("Owned base"), _("Retained"), _("Grasp rate"), pgettext("retention", "Active"),
            _("Active ratio"), _("Lapsed"), pgettext("retention", "Lost"), _("Defected in network")]


def band_lines(group):
    for key in AGE_BAND_KEYS:
        f = group.bands[key] if group else selectors.Figures()
        yield [key, f.owned_base, f.retained, f.grasp_rate, f.active, f.active_ratio, f.lapsed, f.lost, f.defected]


def ranking_header() -> list[str]:
    return [_("Dealer code"), _("Dealer"), _("Owned base"), _("Retained"), _("Grasp rate"), pgettext("retention", "Active"),
            _("Active ratio"), _("Lapsed"), pgettext("retention", "Lost"), _("Defected in network")]


def ranking_lines(groups):
    for g in groups:
        t = g.total
        yield [g.code, g.label, t.owned_base, t.retained, t.grasp_rate, t.active, t.active_ratio, t.lapsed, t.lost,
               t.defected]


class Scorecard(SnapshotMixin, View):
    """One dealer against its region and the network, its trend, and the lapsed and defected customers to call."""

    def get(self, request, pk):
        answer = self.setup_snapshot(request)
        if answer is not None:
            return answer
        dealer = get_object_or_404(Dealer.objects.scoped(self.scope).select_related("region"), pk=pk)
        snap, small = self.snapshot, self.settings.small_base
        as_of = snap.as_of.isoformat()
        compared = selectors.comparisons(self.known, snap)
        kpis = dashboard.kpis(self.scope, snap, compared, dealer_id=dealer.pk)
        # The benchmarks are aggregates of the whole tenant: rates of the region and network, never another
        # dealer's own figures.
        tenant = Scope.system(self.scope.tenant_id)
        mine = only(selectors.rollup_groups(self.scope, [snap.pk], "tenant", dealer_id=dealer.pk), snap.pk)
        region = only(selectors.rollup_groups(tenant, [snap.pk], "tenant", region_id=dealer.region_id), snap.pk)
        network = only(selectors.rollup_groups(tenant, [snap.pk], "tenant"), snap.pk)
        for group in (mine, region, network):
            if group:
                group.mark_small(small)
        columns = [(dealer.code, mine), (dealer.region.name, region), (_("Network"), network)]
        trend_snaps = dashboard.month_ends(self.known, snap)
        trend = selectors.rollup_groups(self.scope, [s.pk for s in trend_snaps], "tenant", dealer_id=dealer.pk)
        trend_rows = []
        for s in trend_snaps:
            f = trend.get((s.pk, self.scope.tenant_id))
            trend_rows.append({"as_of": s.as_of, "f": f.total if f else None,
                               "grasp": dashboard.pct(f.total.grasp_rate) if f else "—",
                               "active": dashboard.pct(f.total.active_ratio) if f else "—"})
        if export_format(request) and request.GET.get("table") == "trend":
            return self.export(request, f"retention-trend-{dealer.code}", _("Trend"),
                               [_("As of"), _("Owned base"), _("Retained"), _("Grasp rate"), pgettext("retention", "Active"),
                                _("Active ratio"), _("Lapsed"), pgettext("retention", "Lost")],
                               ([r["as_of"], r["f"].owned_base, r["f"].retained, r["f"].grasp_rate, r["f"].active,
                                 r["f"].active_ratio, r["f"].lapsed, r["f"].lost] for r in trend_rows if r["f"]))
        if export_format(request):
            return self.export(request, f"retention-age-bands-{dealer.code}", _("Grasp rate by vehicle age"),
                               band_header(), band_lines(mine))
        lapsed = list(selectors.vehicle_states(self.scope, snap, dealer_id=dealer.pk, state=State.LAPSED)
                      .order_by("-last_seen_on", "-pk")[:LIST_SHOWN]) if snap.has_states else []
        defected = list(selectors.vehicle_states(self.scope, snap, dealer_id=dealer.pk, defected=True)
                        .order_by("-last_visit_on", "-pk")[:LIST_SHOWN]) if snap.has_states else []
        outflow = selectors.defection(self.scope, snap, dealer_id=dealer.pk)
        names = Dealer.objects.filter(tenant_id=self.scope.tenant_id,
                                      pk__in={c["serviced_by_id"] for c in outflow}).in_bulk()
        context = self.base_context() | {
            "dealer": dealer, "kpis": kpis, "columns": columns, "bands": band_rows(columns),
            "curve": dashboard.age_curve_option([(name, [g.bands[k].grasp_rate if g else None for k in AGE_BAND_KEYS])
                                                 for name, g in columns]),
            "trend_rows": trend_rows,
            "trend": dashboard.trend_option([r["as_of"].strftime("%Y-%m") for r in trend_rows], [
                (_("Grasp rate"), [r["f"].grasp_rate if r["f"] else None for r in trend_rows]),
                (_("Active ratio"), [r["f"].active_ratio if r["f"] else None for r in trend_rows])]),
            "benchmarks": [{"label": label, "grasp": dashboard.pct(g.total.grasp_rate) if g else "—",
                            "active": dashboard.pct(g.total.active_ratio) if g else "—",
                            "lapsed": dashboard.pct(g.total.lapsed_rate) if g else "—",
                            "lost": dashboard.pct(g.total.lost_rate) if g else "—",
                            "defected": dashboard.pct(g.total.defection_rate) if g else "—",
                            "small": g.total.small if g else True} for label, g in columns],
            "lapsed": lapsed, "defected": defected,
            "lapsed_link": vehicles_url(as_of, dealer=dealer.pk, state="lapsed"),
            "defected_link": vehicles_url(as_of, dealer=dealer.pk, defected=1),
            "outflow": sorted([{"dealer": names.get(c["serviced_by_id"]), "vehicles": c["vehicles"]} for c in outflow
                               if c["dealer_id"] == dealer.pk and c["serviced_by_id"] != dealer.pk],
                              key=lambda c: -c["vehicles"])[:10],
            "may_call": WIN_BACK_CREATE.allows(self.scope), "may_campaign": CAMPAIGN_CREATE.allows(self.scope),
            "surveys": dashboard.survey_figures(self.scope, snap.as_of.replace(day=1), dealer_id=dealer.pk),
            "customer_lists": [
                (_("Lapsed customers"), lapsed, vehicles_url(as_of, dealer=dealer.pk, state="lapsed"), "lapsed", False),
                (_("Customers serviced at other dealers"), defected, vehicles_url(as_of, dealer=dealer.pk, defected=1),
                 "", True)],
            "small_text": definitions(snap)["small"].replace("{small}", str(small)),
        }
        return render(request, "retention/scorecard.html", context)


class MyScorecard(ScopeRequiredMixin, View):
    """A store's manager lands on their own dealer's scorecard."""

    read_permission = RETENTION_VIEW

    def get(self, request):
        if self.scope.single_dealer_id is None:
            return redirect("retention:dashboard")
        return redirect(reverse("retention:scorecard", args=[self.scope.single_dealer_id]) + (
            "?" + request.GET.urlencode() if request.GET else ""))


def vehicle_header() -> list[str]:
    return [_("VIN"), _("Plate"), _("Model"), _("Owner"), _("Mobile"), _("Dealer"), _("Delivered"),
            _("Years since delivery"), _("State"), _("Last visit here"), _("Latest visit (any dealer)"),
            _("Serviced at"), _("Defected")]


def vehicle_line(scope, s) -> list:
    v = s.vehicle
    return [v.vin, v.plate, str(v.model) if v.model else "", s.owner.name if s.owner else "",
            shown_mobile(scope, s.owner) if s.owner and s.owner.mobile else "", s.dealer.code, s.delivered_on,
            str(AgeBand(s.age_band).label), str(State(s.state).label), s.last_home_visit_on or "", s.last_visit_on or "",
            s.last_visit_dealer.code if s.last_visit_dealer else "", _("yes") if s.defected else ""]


class VehicleList(SnapshotMixin, View):
    """The vehicles behind a figure ("why is this number what it is"), paginated, exportable."""

    form_class = VehicleFilterForm

    def get(self, request):
        answer = self.setup_snapshot(request)
        if answer is not None:
            return answer
        p = self.params
        dealer = None
        if p.get("dealer"):
            dealer = get_object_or_404(Dealer.objects.scoped(self.scope), pk=p["dealer"])
        region = None
        if p.get("region"):
            region = get_object_or_404(Region.objects.scoped(self.scope), pk=p["region"])
        rows = selectors.vehicle_states(self.scope, self.snapshot, dealer_id=dealer.pk if dealer else None,
                                        region_id=region.pk if region else None, state=p.get("state") or None,
                                        band=p.get("band"), defected=p.get("defected"))
        rows = rows.order_by("-last_seen_on", "-pk")
        if export_format(request):
            return self.export(request, "retention-vehicles", _("Vehicles"), vehicle_header(),
                               (vehicle_line(self.scope, s) for s in rows.iterator(chunk_size=2000)))
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        context = self.base_context() | {"page": page, "dealer": dealer, "region": region,
                                         "query": query.urlencode(), "state_label": dict(
                                             VehicleFilterForm.base_fields["state"].choices).get(p.get("state") or "")}
        return render(request, "retention/vehicles.html", context)


class CallThem(ScopeRequiredMixin, View):
    """POST: the scorecard's lapsed (or defected) customers become win-back follow-up tasks (DESIGN §9.2)."""

    read_permission = WIN_BACK_CREATE
    write_permission = WIN_BACK_CREATE

    def post(self, request, pk):
        dealer = get_object_or_404(Dealer.objects.scoped(self.scope), pk=pk)
        form = VehicleFilterForm(request.POST)
        if not form.is_valid() or form.cleaned_data.get("state") not in ("lapsed", "lost", "") \
                or (not form.cleaned_data.get("state") and not form.cleaned_data.get("defected")):
            return HttpResponseBadRequest(_("Choose lapsed, lost or defected customers."))
        snapshot = selectors.snapshot_on(self.scope, form.cleaned_data.get("as_of"))
        if snapshot is None or not snapshot.has_states:
            raise Http404
        from callcenter.campaigns import followups_add
        from callcenter.models import FollowUpRule

        rule = FollowUpRule.objects.scoped(self.scope).filter(code="win_back").first()
        back = reverse("retention:scorecard", args=[dealer.pk]) + "?" + urlencode({"as_of": snapshot.as_of})
        if rule is None:
            messages.error(request, _("The tenant has no win-back follow-up rule."))
            return redirect(back)
        rows = selectors.vehicle_states(self.scope, snapshot, dealer_id=dealer.pk,
                                        state=form.cleaned_data.get("state") or None,
                                        defected=form.cleaned_data.get("defected")).filter(owner__isnull=False)
        occurrence = snapshot.as_of.replace(day=1)
        subjects = [{"dealer_id": dealer.pk, "customer_id": owner, "vehicle_id": vehicle, "subject_id": vehicle,
                     "occurrence": occurrence} for vehicle, owner in rows.values_list("vehicle_id", "owner_id")]
        try:
            result = followups_add(scope=self.scope, rule=rule, subjects=subjects, on=None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        skipped = sum(result["skipped"].values())
        messages.success(request, _("%(created)s follow-up tasks created; %(existing)s already existed, %(skipped)s "
                                    "skipped (do-not-call, no consent…).") % {**result, "skipped": skipped})
        return redirect(back)


class SettingsEdit(ScopeRequiredMixin, View):
    """HQ sets the month windows of the definitions; the next build uses them."""

    read_permission = RETENTION_SETTINGS
    write_permission = RETENTION_SETTINGS

    def instance(self):
        found = RetentionSettings.objects.scoped(self.scope).first()
        return found or RetentionSettings(tenant_id=self.scope.tenant_id)

    def get(self, request):
        return render(request, "retention/settings.html", {"form": SettingsForm(instance=self.instance()),
                                                           "title": _("Retention windows")})

    def post(self, request):
        form = SettingsForm(request.POST, instance=self.instance())
        if not form.is_valid():
            return render(request, "retention/settings.html", {"form": form, "title": _("Retention windows")},
                          status=400)
        row = form.save(commit=False)
        row.tenant_id = self.scope.tenant_id
        row.save()
        audit(self.scope, "retention.settings_edit", row, **form.cleaned_data)
        messages.success(request, _("Saved: the next snapshot build uses these windows."))
        return redirect("retention:settings")
