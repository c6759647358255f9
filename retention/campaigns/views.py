"""Campaign pages: the list, a new campaign with its live preview, a campaign's page (preview or results), launch."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm_site.imports.spreadsheets import sheet_response
from crm_site.models import audit
from crm_site.web import ScopedListView, ScopeRequiredMixin
from customers.privacy import sees_full_mobile

from ..access import CAMPAIGN_CREATE, CAMPAIGN_VIEW, RETENTION_EXPORT
from .criteria import campaign_criteria, segment_rows, segment_snapshot
from .display import REASON_LABELS, criteria_text, difference_text, results_chart, results_rows
from .forms import CampaignForm
from .models import Campaign
from .results import campaign_results, member_outcomes
from .segment import segment_preview
from .services import campaign_create, campaign_launch, members_of

CRITERIA_FIELDS = ("dealer", "region", "states", "age_bands", "series", "tiers", "clusters", "control_share")


def preview_context(scope, criteria: dict, share: int, seed: str) -> dict:
    """The live preview's figures for a segment: one statement (and the snapshot's)."""
    snapshot = segment_snapshot(scope)
    if snapshot is None:
        return {"preview": None}
    figures = segment_preview(segment_rows(scope, snapshot, criteria), day=timezone.localdate(), seed=seed,
                              share=share)
    return {"preview": figures, "snapshot": snapshot,
            "excluded_rows": [(REASON_LABELS.get(reason, reason), n) for reason, n in figures["excluded"].items()]}


class CampaignList(ScopedListView):
    """Campaigns in the scope, newest first."""

    model = Campaign
    template_name = "retention/campaign_list.html"
    read_permission = CAMPAIGN_VIEW
    write_permission = CAMPAIGN_CREATE

    def get_queryset(self):
        return super().get_queryset().select_related("dealer", "region", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for campaign in context["object_list"]:
            campaign.criteria_text = criteria_text(campaign)
        return context


class CampaignCreate(ScopeRequiredMixin, View):
    """A new campaign: the criteria form with its live preview (htmx), saved as a draft to launch."""

    read_permission = CAMPAIGN_CREATE
    write_permission = CAMPAIGN_CREATE
    template_name = "retention/campaign_form.html"

    def initial(self, request) -> dict:
        """Prefilled from a scorecard's link (?dealer=&states=lapsed)."""
        initial = {}
        if request.GET.get("dealer", "").isdigit():
            initial["dealer"] = request.GET["dealer"]
        if request.GET.get("states") in ("lapsed", "lost"):
            initial["states"] = [request.GET["states"]]
        return initial

    def render_form(self, request, form, status=200):
        context = {"form": form}
        if form.is_bound:
            context |= PreviewMixin.bound_preview(self.scope, form)
        else:
            initial = form.initial
            context |= preview_context(self.scope, {"states": initial.get("states", ["lapsed"]),
                                                    "dealer": int(initial["dealer"]) if "dealer" in initial else None},
                                       10, "preview")
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        form = CampaignForm(scope=self.scope, initial=self.initial(request))
        return self.render_form(request, form)

    def post(self, request):
        form = CampaignForm(request.POST, scope=self.scope)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        try:
            campaign = campaign_create(scope=self.scope, data=form.service_data())
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.render_form(request, form, status=400)
        messages.success(request, _("Campaign saved: check the figures and launch it."))
        return redirect("retention:campaign-detail", pk=campaign.pk)


class PreviewMixin:
    @staticmethod
    def bound_preview(scope, form) -> dict:
        """The preview of what a bound form says so far; criteria with errors show no figures."""
        form.is_valid()
        if any(name in form.errors for name in CRITERIA_FIELDS) or "__all__" in form.errors:
            return {"preview": None, "preview_invalid": True}
        return preview_context(scope, form.segment_criteria(), form.cleaned_data["control_share"], "preview")


class CampaignPreview(ScopeRequiredMixin, View):
    """POST (htmx, as the criteria change): the segment's size, exclusions, control and called."""

    read_permission = CAMPAIGN_CREATE

    def post(self, request):
        form = CampaignForm(request.POST, scope=self.scope)
        return render(request, "retention/_campaign_preview.html", PreviewMixin.bound_preview(self.scope, form))


def campaign_in_scope(scope, pk) -> Campaign:
    return get_object_or_404(Campaign.objects.scoped(scope).select_related(
        "dealer", "region", "created_by", "launched_by", "rule"), pk=pk)


class CampaignDetail(ScopeRequiredMixin, View):
    """A draft shows its preview and the launch button; a launched campaign its results, chart and members."""

    read_permission = CAMPAIGN_VIEW

    def get(self, request, pk):
        campaign = campaign_in_scope(self.scope, pk)
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx") and campaign.is_launched:
            return self.export(campaign, fmt)
        context = {"campaign": campaign, "criteria_text": criteria_text(campaign),
                   "may_launch": CAMPAIGN_CREATE.allows(self.scope) and not campaign.is_launched,
                   "may_export": RETENTION_EXPORT.allows(self.scope) and campaign.is_launched}
        if campaign.is_launched:
            results = campaign_results(self.scope, campaign)
            context |= {"results": results, "rows": results_rows(results), "chart": results_chart(results),
                        "difference_text": difference_text(results),
                        "excluded_rows": [(REASON_LABELS.get(r, r), n) for r, n in results.excluded.items() if n]}
        else:
            context |= preview_context(self.scope, campaign_criteria(campaign), campaign.control_share,
                                       str(campaign.pk))
        return render(request, "retention/campaign_detail.html", context)

    def export(self, campaign, fmt: str):
        """The members with their group and outcome, scoped, masked per role, audited."""
        if not RETENTION_EXPORT.allows(self.scope):
            raise Http404
        outcomes = member_outcomes(self.scope, campaign)
        full = sees_full_mobile(self.scope)
        rows = members_of(self.scope, campaign).select_related("customer", "vehicle", "dealer", "task").order_by("id")
        audit(self.scope, "campaign.export", campaign, format=fmt, members=len(outcomes))
        header = [_("Customer"), _("Mobile"), _("VIN"), _("Plate"), _("Dealer"), _("Group"), _("Reason"),
                  _("Task status"), _("Contacted at"), _("Reached"), _("Booked"), _("Returned at")]

        def lines():
            for m in rows.iterator(chunk_size=2000):
                contacted, reached, booked, returned = outcomes.get(m.pk, (None, False, False, None))
                yield [m.customer.name, m.customer.mobile if full else m.customer.mobile_masked, m.vehicle.vin,
                       m.vehicle.plate, m.dealer.code, str(m.get_group_display()),
                       str(REASON_LABELS.get(m.reason, m.reason)), str(m.task.get_status_display()) if m.task else "",
                       timezone.localtime(contacted).strftime("%Y-%m-%d %H:%M") if contacted else "",
                       _("yes") if reached else "", _("yes") if booked else "",
                       timezone.localtime(returned).strftime("%Y-%m-%d") if returned else ""]

        return sheet_response(fmt, f"campaign-{campaign.pk}", campaign.name[:31], header, lines())


class CampaignLaunch(ScopeRequiredMixin, View):
    """POST: launch the campaign (a second launch does nothing)."""

    read_permission = CAMPAIGN_CREATE
    write_permission = CAMPAIGN_CREATE

    def post(self, request, pk):
        campaign = campaign_in_scope(self.scope, pk)
        try:
            result = campaign_launch(scope=self.scope, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("retention:campaign-detail", pk=campaign.pk)
        if result["already"]:
            messages.info(request, _("This campaign was already launched; nothing was changed."))
        else:
            messages.success(request, _("Launched: %(called)s customers to call, %(control)s held out as control, "
                                        "%(excluded)s excluded.") % {
                "called": result["called"], "control": result["control"],
                "excluded": sum(result["excluded"].values())})
        return redirect("retention:campaign-detail", pk=campaign.pk)
