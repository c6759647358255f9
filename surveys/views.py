"""Staff pages of the surveys: rankings, a dealer's page, invitations, responses, signals, the dealer survey.

The template editor's pages are in surveys/template_views.py.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from crm_site.imports.spreadsheets import sheet_response
from crm_site.web import ScopedListView, ScopeRequiredMixin
from dealers.models import Dealer

from . import access, selectors, services
from .choices import AnsweredVia, Channel, InvitationStatus, TemplateKind
from .invitations import invitations_generate
from .links import link_url, sms_text
from .models import SurveyInvitation, SurveyResponse, SurveyTemplate
from .plugin import shown_questions


def _month_param(request) -> dt.date:
    try:
        return selectors.month_start(request.GET.get("month", ""))
    except ValueError:
        return timezone.localdate().replace(day=1)


def _template_param(scope, request, kinds=None) -> tuple[SurveyTemplate | None, list]:
    templates = list(selectors.templates_for(scope).filter(kind__in=kinds or [TemplateKind.SSI, TemplateKind.CSI,
                                                                               TemplateKind.CUSTOM]))
    templates.sort(key=lambda t: ([TemplateKind.SSI, TemplateKind.CSI].index(t.kind)
                                  if t.kind in (TemplateKind.SSI, TemplateKind.CSI) else 2, t.code))
    raw = request.GET.get("template", "")
    chosen = next((t for t in templates if raw.isdigit() and t.pk == int(raw)), None)
    return chosen or (templates[0] if templates else None), templates


def _trend_option(points: list[dict]) -> dict:
    return {"tooltip": {"trigger": "axis"}, "legend": {"data": [_("Index"), "NPS"]},
            "xAxis": {"type": "category", "data": [p["month"] for p in points]},
            "yAxis": [{"type": "value", "name": _("Index"), "min": 0, "max": 1000},
                      {"type": "value", "name": "NPS", "min": -100, "max": 100}],
            "series": [{"name": _("Index"), "type": "line", "data": [p["index"] for p in points]},
                       {"name": "NPS", "type": "line", "yAxisIndex": 1, "data": [p["nps"] for p in points]}]}


def _factor_option(factors: list[dict]) -> dict:
    return {"tooltip": {}, "grid": {"left": 120},
            "xAxis": {"type": "value", "min": 0, "max": 1000},
            "yAxis": {"type": "category", "data": [f["factor"] for f in factors]},
            "series": [{"type": "bar", "data": [f["index"] for f in factors]}]}


INDEX_DEFINITION = gettext_lazy("Index: 1000 × the weighted mean of the answers on scales, each scaled 0–1, "
                                "averaged over the month's responses.")
TOP_BOX_DEFINITION = gettext_lazy("Share of responses whose overall-satisfaction answer is the scale maximum.")
NPS_DEFINITION = gettext_lazy("Share of promoters (9–10) minus share of detractors (0–6) on the recommend question, in points (−100 to 100).")


class RankingView(ScopeRequiredMixin, generic.TemplateView):
    """HQ's monthly ranking of dealers (or regions) by index, with the trend and the factor breakdown."""

    template_name = "surveys/ranking.html"
    read_permission = access.INDEX_VIEW

    def get(self, request, *args, **kwargs):
        template, templates = _template_param(self.scope, request)
        month = _month_param(request)
        group_by = request.GET.get("group_by", "dealer")
        if group_by not in selectors.GROUPS:
            group_by = "dealer"
        rows = selectors.indices(scope=self.scope, template=template, month=month, group_by=group_by) \
            if template else []
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx") and template:
            factor_names = sorted({f for r in rows for f in r["factors"]})
            group_label = {"dealer": _("Dealer"), "region": _("Region"), "tenant": _("Tenant")}[group_by]
            header = [_("Rank"), group_label, _("Name"), _("Responses"), _("Index"), _("Change"), _("Top box"), "NPS",
                      _("Small sample"), *factor_names]
            table = [[r["rank"], r[group_by], r["name"], r["responses"], r["index"], r["change"], r["top_box_rate"],
                      r["nps"], r["small_sample"], *[r["factors"].get(f) for f in factor_names]] for r in rows]
            return sheet_response(fmt, f"survey-{template.code}-{month:%Y-%m}", template.name[:30], header, table)
        points = selectors.trend(scope=self.scope, template=template, month=month) if template else []
        factors = selectors.factor_breakdown(scope=self.scope, template=template, month=month) if template else []
        context = self.get_context_data(
            template=template, templates=templates, month=month, group_by=group_by, rows=rows, points=points,
            factors=factors, trend_option=_trend_option(points), factor_option=_factor_option(factors),
            index_definition=INDEX_DEFINITION, top_box_definition=TOP_BOX_DEFINITION, nps_definition=NPS_DEFINITION,
            may_signals=access.SIGNALS_VIEW.allows(self.scope),
            may_templates=access.TEMPLATE_VIEW.allows(self.scope) or access.TEMPLATE_EDIT.allows(self.scope))
        return self.render_to_response(context)


class DealerIndexView(ScopeRequiredMixin, generic.TemplateView):
    """One dealer's own page: its trend, factors this month and its latest responses."""

    template_name = "surveys/dealer.html"
    read_permission = access.INDEX_VIEW

    def get(self, request, pk):
        dealer = get_object_or_404(Dealer.objects.scoped(self.scope), pk=pk)
        template, templates = _template_param(self.scope, request)
        month = _month_param(request)
        rows = [r for r in selectors.indices(scope=self.scope, template=template, month=month)
                if r["dealer"] == dealer.pk] if template else []
        points = selectors.trend(scope=self.scope, template=template, month=month, dealer_id=dealer.pk) \
            if template else []
        factors = selectors.factor_breakdown(scope=self.scope, template=template, month=month, dealer_id=dealer.pk) \
            if template else []
        responses = SurveyResponse.objects.scoped(self.scope).filter(dealer=dealer).select_related(
            "template", "customer", "complaint").order_by("-answered_at")[:30]
        return self.render_to_response(self.get_context_data(
            dealer=dealer, template=template, templates=templates, month=month, row=rows[0] if rows else None,
            points=points, factors=factors, trend_option=_trend_option(points), factor_option=_factor_option(factors),
            responses=responses, index_definition=INDEX_DEFINITION, top_box_definition=TOP_BOX_DEFINITION,
            nps_definition=NPS_DEFINITION))


def service_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class InvitationFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False,
                               choices=[("", "—"), *InvitationStatus.choices])
    channel = forms.ChoiceField(label=gettext_lazy("channel"), required=False, choices=[("", "—"), *Channel.choices])


class InvitationListView(ScopedListView):
    """Invitations of the dealers in scope; HQ and supervisors run the generation for a day."""

    model = SurveyInvitation
    template_name = "surveys/invitation_list.html"
    read_permission = access.RESPONSE_VIEW
    write_permission = access.INVITATION_GENERATE

    def get_queryset(self):
        rows = super().get_queryset().select_related("template", "customer", "dealer").order_by("-id")
        self.filter_form = InvitationFilter(self.request.GET or None)
        if self.filter_form.is_valid():
            for name in ("status", "channel"):
                if self.filter_form.cleaned_data[name]:
                    rows = rows.filter(**{name: self.filter_form.cleaned_data[name]})
        return rows

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, today=timezone.localdate(), **kwargs)

    def post(self, request):
        if not self.may_write():
            raise PermissionDenied
        try:
            day = dt.date.fromisoformat(request.POST.get("date", "")) if request.POST.get("date") else None
        except ValueError:
            messages.error(request, _("Give the date as YYYY-MM-DD."))
            return redirect("surveys:invitation-list")
        report = invitations_generate(scope=self.scope, on=day)
        created = sum(line["created"] for key, line in report.items() if not key.startswith("#"))
        skipped = sum(sum(line["skipped"].values()) for key, line in report.items() if not key.startswith("#"))
        messages.success(request, _("%(created)s invitations created, %(skipped)s skipped.") % {
            "created": created, "skipped": skipped})
        return redirect("surveys:invitation-list")


class InvitationDetailView(ScopeRequiredMixin, generic.View):
    """One invitation: its link, the SMS wording and a QR code to print at the counter."""

    read_permission = access.RESPONSE_VIEW

    def get(self, request, pk):
        invitation = get_object_or_404(SurveyInvitation.objects.scoped(self.scope).select_related(
            "template", "customer", "dealer"), pk=pk)
        url = qr = sms = ""
        if invitation.channel == Channel.LINK and invitation.status == InvitationStatus.PENDING \
                and invitation.kind != TemplateKind.DEALER:
            url = link_url(invitation, request)
            sms = sms_text(invitation, url)
            qr = _qr_svg(url)
        response = SurveyResponse.objects.scoped(self.scope).filter(invitation=invitation).first()
        return render(request, "surveys/invitation_detail.html",
                      {"invitation": invitation, "url": url, "sms": sms, "qr": qr, "response": response})


def _qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (segno, pure Python)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, title=url)


class ResponseDetailView(ScopeRequiredMixin, generic.View):
    read_permission = access.RESPONSE_VIEW

    def get(self, request, pk):
        response = get_object_or_404(SurveyResponse.objects.scoped(self.scope).select_related(
            "template", "customer", "dealer", "complaint", "invitation"), pk=pk)
        answers = shown_questions(response.template, response.answers, {})
        return render(request, "surveys/response_detail.html", {"response": response, "answers": answers})


class SignalsView(ScopeRequiredMixin, generic.TemplateView):
    """Signs of gaming per dealer over the last 90 days (or ?days=)."""

    template_name = "surveys/signals.html"
    read_permission = access.SIGNALS_VIEW

    def get(self, request, *args, **kwargs):
        try:
            days = max(1, min(int(request.GET.get("days", 90)), 730))
        except ValueError:
            days = 90
        since = timezone.now() - dt.timedelta(days=days)
        return self.render_to_response(self.get_context_data(
            days=days, signals=selectors.gaming_signals(scope=self.scope, since=since)))


class DealerSurveyInviteForm(forms.Form):
    template = forms.ModelChoiceField(label=gettext_lazy("template"), queryset=SurveyTemplate.objects.none())
    period = forms.RegexField(label=gettext_lazy("period"), regex=r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
                              help_text=gettext_lazy("YYYY-MM"))

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.templates_for(scope).filter(kind=TemplateKind.DEALER)


class DealerSurveyView(ScopeRequiredMixin, generic.View):
    """The dealer survey: HQ invites the managers for a period and reads results by region and question;
    a manager sees the surveys waiting for an answer."""

    read_permission = (access.DEALER_SURVEY_INVITE, access.DEALER_SURVEY_ANSWER, access.INDEX_VIEW)

    def _page(self, form=None, status=200):
        scope = self.scope
        context = {"may_invite": access.DEALER_SURVEY_INVITE.allows(scope)}
        if context["may_invite"]:
            context["form"] = form or DealerSurveyInviteForm(scope=scope, initial={
                "period": timezone.localdate().strftime("%Y-%m")})
        context["waiting"] = SurveyInvitation.objects.scoped(scope).filter(
            kind=TemplateKind.DEALER, invitee_id=scope.user_id, status=InvitationStatus.PENDING,
            expires_at__gt=timezone.now()).select_related("template") if scope.user_id else []
        if access.INDEX_VIEW.allows(scope) and scope.is_tenant_wide:
            context["results"] = _dealer_survey_results(scope, self.request.GET.get("period", ""))
        return render(self.request, "surveys/dealer_survey.html", context, status=status)

    def get(self, request):
        return self._page()

    def post(self, request):
        if not access.DEALER_SURVEY_INVITE.allows(self.scope):
            raise PermissionDenied
        form = DealerSurveyInviteForm(request.POST, scope=self.scope)
        if not form.is_valid():
            return self._page(form, status=400)
        try:
            invited = services.dealer_survey_invite(scope=self.scope, template=form.cleaned_data["template"],
                                                    period=form.cleaned_data["period"])
        except ValidationError as exc:
            service_errors(form, exc)
            return self._page(form, status=400)
        messages.success(request, _("%(n)s dealer managers invited.") % {"n": invited})
        return redirect("surveys:dealer-survey")


def _dealer_survey_results(scope, period: str) -> dict:
    """Mean answer per question and region for a period of the dealer survey (HQ)."""
    from django.db import connection

    template = selectors.templates_for(scope).filter(kind=TemplateKind.DEALER).first()
    if template is None:
        return {}
    periods = list(SurveyInvitation.objects.scoped(scope).filter(kind=TemplateKind.DEALER).values_list(
        "period", flat=True).distinct().order_by("-period")[:24])
    period = period if period in periods else (periods[0] if periods else "")
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT g.name, a.key, avg((a.value)::text::float), count(*)
            FROM surveys_surveyresponse r JOIN surveys_surveyinvitation i ON i.id = r.invitation_id
            JOIN dealers_dealer d ON d.id = r.dealer_id JOIN dealers_region g ON g.id = d.region_id
            CROSS JOIN LATERAL jsonb_each(r.answers) a
            WHERE r.tenant_id = %s AND r.kind = 'dealer' AND i.period = %s AND jsonb_typeof(a.value) = 'number'
            GROUP BY 1, 2 ORDER BY 1, 2""", [scope.tenant_id, period])
        cells = cursor.fetchall()
        cursor.execute("""
            SELECT count(*), count(*) FILTER (WHERE status = 'answered'), avg(r.index)
            FROM surveys_surveyinvitation i LEFT JOIN surveys_surveyresponse r ON r.invitation_id = i.id
            WHERE i.tenant_id = %s AND i.kind = 'dealer' AND i.period = %s""", [scope.tenant_id, period])
        invited, answered, index = cursor.fetchone()
    questions = [q for q in template.questions if q["type"] in ("scale", "nps")]
    regions = sorted({name for name, *_rest in cells})
    table = {(name, code): (round(value, 2), n) for name, code, value, n in cells}
    rows = [{"question": shown_questions(template, {}, {})[template.questions.index(q)]["label"],
             "cells": [table.get((region, q["code"]), (None, 0))[0] for region in regions]} for q in questions]
    return {"period": period, "periods": periods, "regions": regions, "rows": rows, "invited": invited,
            "answered": answered, "index": round(index, 1) if index is not None else None}


class DealerSurveyAnswerView(ScopeRequiredMixin, generic.View):
    """A dealer manager answers the dealer survey, logged in."""

    read_permission = access.DEALER_SURVEY_ANSWER

    def _invitation(self, pk):
        invitation = get_object_or_404(SurveyInvitation.objects.scoped(self.scope).select_related("template"),
                                       pk=pk, kind=TemplateKind.DEALER)
        if invitation.invitee_id != self.scope.user_id:
            raise Http404
        return invitation

    def _page(self, invitation, values, errors, status=200):
        questions = shown_questions(invitation.template, values, errors)
        return render(self.request, "surveys/dealer_answer.html",
                      {"invitation": invitation, "questions": questions,
                       "general_errors": errors.get("invitation", [])}, status=status)

    def get(self, request, pk):
        return self._page(self._invitation(pk), {}, {})

    def post(self, request, pk):
        invitation = self._invitation(pk)
        values = {q["code"]: request.POST.get(q["code"], "") for q in invitation.template.questions}
        try:
            services.response_record(scope=self.scope, invitation=invitation, answers=values, via=AnsweredVia.STAFF,
                                     respondent=request.user)
        except ValidationError as exc:
            return self._page(invitation, values, exc.message_dict, status=400)
        messages.success(request, _("Thank you: your answers were saved."))
        return redirect("surveys:dealer-survey")
