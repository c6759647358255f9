"""HQ setup pages: working calendars and their exceptions, follow-up rules, and the log of generation runs."""

from __future__ import annotations

import copy
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from crm_site.access import allowed
from crm_site.web import ScopedListView, ScopeRequiredMixin
from customers.forms import add_service_errors

from .. import calendars
from ..access import CALENDAR_EDIT, FOLLOWUP_GENERATE, RULE_EDIT, RULE_VIEW, SUPERVISE
from ..api.rule_serializers import FollowUpRuleFilterSet
from ..choices import RunSource, SkipReason
from ..models import CalendarException, FollowUpRule, FollowUpRun, WorkingCalendar
from ..rules import PLACEHOLDERS, render_script_safely
from .setup_forms import CalendarForm, DealerCalendarForm, ExceptionForm, RuleForm, RunNowForm

CALENDAR_READ = (CALENDAR_EDIT, RULE_VIEW)
RULE_READ = (RULE_VIEW, RULE_EDIT)
RULE_PAUSE = (RULE_EDIT, SUPERVISE)  # access.py: supervisors pause a rule too
RUN_READ = (RULE_VIEW, FOLLOWUP_GENERATE)


class ObjectPage(ScopeRequiredMixin, View):
    """A page about one object: out of scope answers 404 before any permission is asked, as if it did not exist."""

    model = None
    queryset_related: tuple[str, ...] = ()

    def get_object(self, pk: int):
        queryset = self.model.objects.scoped(self.scope).select_related(*self.queryset_related)
        return get_object_or_404(queryset, pk=pk)

    def require(self, permission) -> None:
        if not allowed(permission, self.scope):
            raise PermissionDenied


# Calendars --------------------------------------------------------------------------------------------------------

DAY_LABELS = {
    "working": gettext_lazy("Working day"),
    "weekend": gettext_lazy("Weekend"),
    "holiday": gettext_lazy("Official holiday"),
    "make_up_day": gettext_lazy("Make-up working day (调休)"),
    "exception": gettext_lazy("Exception entered here"),
    "weekday_rule": gettext_lazy("Monday–Friday assumed"),
}


def chosen_year(request) -> int:
    """The year asked for in ?year=, else this year."""
    text = request.GET.get("year", "")
    if text.isdigit() and 1990 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def calendar_page(request, scope, calendar: WorkingCalendar, *, form=None, exception_form=None, status=200):
    """The page of one calendar: its hours form, its exceptions, the year view and the dealers' own calendars."""
    year = chosen_year(request)
    may_edit = CALENDAR_EDIT.allows(scope)
    form = form or CalendarForm(instance=calendar)
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    overrides = (WorkingCalendar.objects.scoped(scope).filter(dealer__isnull=False).select_related("dealer")
                 .order_by("dealer__code"))
    year_view = calendars.calendar_year(calendar, year)
    for month in year_view["months"]:
        for week in month["weeks"]:
            for cell in week:
                if cell is not None:
                    cell["label"] = DAY_LABELS.get(cell["reason"], "")
    context = {
        "calendar": calendar, "form": form, "may_edit": may_edit, "overrides": overrides,
        "exception_form": exception_form or ExceptionForm(initial={"is_working": "0"}),
        "year_view": year_view, "year": year, "previous_year": year - 1,
        "next_year": year + 1, "day_labels": DAY_LABELS,
        "upcoming": CalendarException.objects.filter(calendar=calendar, day__gte=timezone.localdate()).count(),
    }
    return render(request, "callcenter/setup/calendar.html", context, status=status)


class CalendarHome(ScopeRequiredMixin, View):
    """The tenant's calendar (工作日历): HQ keeps it, the call center and analysts look."""

    read_permission = CALENDAR_READ
    write_permission = CALENDAR_EDIT

    def get(self, request):
        calendar = calendars.tenant_calendar_ensure(scope=self.scope)
        return calendar_page(request, self.scope, calendar)


class CalendarDetail(ObjectPage):
    """One calendar (the tenant's or a dealer's own): change its hours."""

    model = WorkingCalendar
    queryset_related = ("dealer",)

    def get(self, request, pk: int):
        calendar = self.get_object(pk)
        self.require(CALENDAR_READ)
        return calendar_page(request, self.scope, calendar)

    def post(self, request, pk: int):
        calendar = self.get_object(pk)
        self.require(CALENDAR_EDIT)
        form = CalendarForm(request.POST, instance=copy.copy(calendar))
        if form.is_valid():
            try:
                calendars.calendar_update(scope=self.scope, calendar=calendar, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Calendar saved."))
                return redirect(calendar_url(calendar))
        return calendar_page(request, self.scope, calendar, form=form)


def calendar_url(calendar: WorkingCalendar) -> str:
    if calendar.dealer_id is None:
        return reverse("callcenter:calendar")
    return reverse("callcenter:calendar-detail", args=[calendar.pk])


class DealerCalendarCreate(ScopeRequiredMixin, View):
    """Give a dealer its own calendar (different hours, its own closing days); it starts from the tenant's hours."""

    read_permission = write_permission = CALENDAR_EDIT

    def get(self, request):
        base = calendars.tenant_calendar_ensure(scope=self.scope)
        form = DealerCalendarForm(instance=WorkingCalendar(tenant_id=self.scope.tenant_id,
                                                           **{n: getattr(base, n) for n in calendars.CALENDAR_FIELDS}),
                                  scope=self.scope)
        return self.render(request, form)

    def post(self, request):
        form = DealerCalendarForm(request.POST, instance=WorkingCalendar(tenant_id=self.scope.tenant_id),
                                  scope=self.scope)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                calendar = calendars.dealer_calendar_create(scope=self.scope, dealer=data.pop("dealer"), data=data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The dealer's own calendar is created."))
                return redirect(calendar_url(calendar))
        return self.render(request, form, status=200)

    def render(self, request, form, status=200):
        return render(request, "callcenter/setup/calendar_new.html", {"form": form}, status=status)


class DealerCalendarDelete(ObjectPage):
    """Remove a dealer's own calendar: the dealer follows the tenant's calendar again."""

    model = WorkingCalendar

    def post(self, request, pk: int):
        calendar = self.get_object(pk)
        self.require(CALENDAR_EDIT)
        if calendar.dealer_id is None:
            raise PermissionDenied  # the tenant's calendar stays
        calendars.dealer_calendar_delete(scope=self.scope, calendar=calendar)
        messages.success(request, _("The dealer's own calendar is deleted; it follows the tenant's calendar."))
        return redirect("callcenter:calendar")


class ExceptionAdd(ObjectPage):
    """Add a day worked or not to a calendar."""

    model = WorkingCalendar
    queryset_related = ("dealer",)

    def post(self, request, pk: int):
        calendar = self.get_object(pk)
        self.require(CALENDAR_EDIT)
        form = ExceptionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                calendars.calendar_exception_add(scope=self.scope, calendar=calendar, day=data["day"],
                                                 is_working=data["is_working"], note=data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Exception added."))
                return redirect(f"{calendar_url(calendar)}?year={data['day'].year}#exceptions")
        return calendar_page(request, self.scope, calendar, exception_form=form)


class ExceptionDelete(ObjectPage):
    """Remove an exception: the day follows the official calendar again."""

    model = CalendarException
    queryset_related = ("calendar",)

    def post(self, request, pk: int):
        exception = self.get_object(pk)
        self.require(CALENDAR_EDIT)
        calendar, year = exception.calendar, exception.day.year
        calendars.calendar_exception_delete(scope=self.scope, exception=exception)
        messages.success(request, _("Exception deleted."))
        return redirect(f"{calendar_url(calendar)}?year={year}#exceptions")


# Follow-up rules --------------------------------------------------------------------------------------------------

class RuleList(ScopedListView):
    """The follow-up rules of the tenant, most urgent first; HQ changes them, the call center and analysts read."""

    model = FollowUpRule
    filterset_class = FollowUpRuleFilterSet
    read_permission = RULE_READ
    write_permission = RULE_EDIT
    template_name = "callcenter/setup/rule_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("priority", "code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_pause"] = allowed(RULE_PAUSE, self.scope)
        return context


def sample_values(request) -> dict:
    """Made-up values to show how a script reads to the customer."""
    today = timezone.localdate()
    return {"customer": _("Mr Zhang"), "model": "凯美瑞 2.0G", "vin": "LFV2A21K0C3000001", "plate": "沪A12345",
            "dealer": _("Sample 4S store"), "date": (today - dt.timedelta(days=3)).isoformat(),
            "due_on": today.isoformat(), "agent": getattr(request.user, "full_name", "") or request.user.get_username()}


PLACEHOLDER_HELP = {
    "customer": gettext_lazy("the customer's name"), "model": gettext_lazy("the vehicle model"),
    "vin": gettext_lazy("the VIN"), "plate": gettext_lazy("the plate number"),
    "dealer": gettext_lazy("the dealer's name"), "date": gettext_lazy("the trigger date (delivery, visit, expiry…)"),
    "due_on": gettext_lazy("the task's due date"), "agent": gettext_lazy("the calling agent's name"),
}


def rule_page(request, scope, form, *, rule=None, may_edit: bool, status: int = 200):
    """The rule form with the placeholder list and the script filled with sample values."""
    script = form.data.get("script", "") if form.is_bound else (form.initial.get("script") or
                                                                (rule.script if rule else ""))
    values = sample_values(request)
    # The preview follows the script as it is typed (htmx posts it with the form).
    form.fields["script"].widget.attrs.update({
        "hx-post": reverse("callcenter:rule-preview"), "hx-trigger": "input changed delay:300ms",
        "hx-target": "#script-preview", "hx-swap": "outerHTML"})
    context = {
        "form": form, "rule": rule, "may_edit": may_edit, "may_pause": allowed(RULE_PAUSE, scope),
        "placeholders": [(name, PLACEHOLDER_HELP[name], values[name]) for name in PLACEHOLDERS],
        "preview": render_script_safely(script, values),
        "title": rule.name if rule else _("New follow-up rule"),
    }
    return render(request, "callcenter/setup/rule_form.html", context, status=status)


class RuleCreate(ScopeRequiredMixin, View):
    """Add a follow-up rule."""

    read_permission = write_permission = RULE_EDIT

    def get(self, request):
        return rule_page(request, self.scope, RuleForm(scope=self.scope), may_edit=True)

    def post(self, request):
        form = RuleForm(request.POST, instance=FollowUpRule(tenant_id=self.scope.tenant_id), scope=self.scope)
        if form.is_valid():
            try:
                rule = calendars.rule_create(scope=self.scope, data=form.rule_data())
            except ValidationError as exc:
                add_service_errors(form, exc, {"questions": "questions_json", "retry_after_minutes": "retry_no_answer"})
            else:
                messages.success(request, _("Rule created."))
                return redirect("callcenter:rule-detail", pk=rule.pk)
        return rule_page(request, self.scope, form, may_edit=True)


class RuleDetail(ObjectPage):
    """A follow-up rule: its form for HQ, read-only for the call center and analysts."""

    model = FollowUpRule

    def get(self, request, pk: int):
        rule = self.get_object(pk)
        self.require(RULE_READ)
        may_edit = RULE_EDIT.allows(self.scope)
        form = RuleForm(instance=rule, scope=self.scope)
        if not may_edit:
            for field in form.fields.values():
                field.disabled = True
        return rule_page(request, self.scope, form, rule=rule, may_edit=may_edit)

    def post(self, request, pk: int):
        rule = self.get_object(pk)
        self.require(RULE_EDIT)
        form = RuleForm(request.POST, instance=copy.copy(rule), scope=self.scope)
        if form.is_valid():
            try:
                calendars.rule_update(scope=self.scope, rule=rule, data=form.rule_data())
            except ValidationError as exc:
                add_service_errors(form, exc, {"questions": "questions_json", "retry_after_minutes": "retry_no_answer"})
            else:
                messages.success(request, _("Rule saved."))
                return redirect("callcenter:rule-detail", pk=rule.pk)
        return rule_page(request, self.scope, form, rule=rule, may_edit=True)


class RuleActive(ObjectPage):
    """Pause or resume a rule (a paused rule creates no tasks; its open tasks stay in the queue)."""

    model = FollowUpRule

    def post(self, request, pk: int):
        from ..rules import rule_set_active

        rule = self.get_object(pk)
        self.require(RULE_PAUSE)
        active = request.POST.get("active") == "1"
        rule_set_active(scope=self.scope, rule=rule, active=active)
        messages.success(request, _("Rule resumed.") if active else _("Rule paused."))
        if request.POST.get("next") == "list":
            return redirect("callcenter:rules")
        return redirect("callcenter:rule-detail", pk=rule.pk)


class ScriptPreview(ScopeRequiredMixin, View):
    """The script filled with sample values, sent back as the rule form is typed (htmx)."""

    read_permission = RULE_READ

    def post(self, request):
        script = request.POST.get("script", "")[:4000]
        preview = render_script_safely(script, sample_values(request))
        return render(request, "callcenter/setup/_script_preview.html", {"preview": preview})


# Generation runs --------------------------------------------------------------------------------------------------

class RunList(ScopedListView):
    """The log of follow-up generation runs, newest first, and the form to run it now for a date."""

    model = FollowUpRun
    read_permission = RUN_READ
    write_permission = FOLLOWUP_GENERATE
    template_name = "callcenter/setup/run_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("started_by").order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run_form"] = RunNowForm()
        return context


def run_rows(run: FollowUpRun) -> tuple[list, list]:
    """The run's per-rule rows with one skip count per reason, and the reasons that occur (labels known or not)."""
    labels = dict(SkipReason.choices)
    seen = []
    for row in run.per_rule or []:
        for reason in (row.get("skipped") or {}):
            if reason not in seen:
                seen.append(reason)
    reasons = [r for r in SkipReason.values if r in seen] + [r for r in seen if r not in labels]
    rows = []
    for row in run.per_rule or []:
        skipped = row.get("skipped") or {}
        rows.append({"code": row.get("code", ""), "name": row.get("name", ""), "rule": row.get("rule"),
                     "created": row.get("created", 0), "existing": row.get("existing", 0),
                     "skipped_total": sum(v for v in skipped.values() if isinstance(v, int)),
                     "skipped": [skipped.get(reason, 0) for reason in reasons], "seconds": row.get("seconds")})
    return rows, [(reason, labels.get(reason, reason)) for reason in reasons]


class RunDetail(ObjectPage):
    """One generation run: per rule, what it created, found already there and skipped, and why."""

    model = FollowUpRun
    queryset_related = ("started_by",)

    def get(self, request, pk: int):
        run = self.get_object(pk)
        self.require(RUN_READ)
        rows, reasons = run_rows(run)
        rule_ids = [row["rule"] for row in rows if isinstance(row["rule"], int)]
        known = set(FollowUpRule.objects.scoped(self.scope).filter(pk__in=rule_ids).values_list("pk", flat=True))
        for row in rows:
            row["link"] = row["rule"] in known
        return render(request, "callcenter/setup/run_detail.html",
                      {"run": run, "rows": rows, "reasons": reasons})


class RunNow(ScopeRequiredMixin, View):
    """Run follow-up generation for a date now, as the daily schedule would (idempotent: a rerun adds nothing)."""

    read_permission = write_permission = FOLLOWUP_GENERATE

    def get(self, request):
        return self.render(request, RunNowForm())

    def post(self, request):
        form = RunNowForm(request.POST)
        if form.is_valid():
            try:
                # Imported here: generation is its own module, and this page must load without it.
                from ..generation import followups_generate
            except ImportError:
                form.add_error(None, _("Generation is not available on this server yet."))
            else:
                try:
                    run = followups_generate(scope=self.scope, on=form.cleaned_data["on"], source=RunSource.BROWSER,
                                             started_by=request.user)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Generation ran for %(date)s.") % {"date": run.run_on})
                    return redirect("callcenter:run-detail", pk=run.pk)
        return self.render(request, form)

    def render(self, request, form):
        return render(request, "callcenter/setup/run_form.html", {"form": form})


__all__ = ["CalendarDetail", "CalendarHome", "DealerCalendarCreate", "DealerCalendarDelete", "ExceptionAdd",
           "ExceptionDelete", "RuleActive", "RuleCreate", "RuleDetail", "RuleList", "RunDetail", "RunList", "RunNow",
           "ScriptPreview"]
