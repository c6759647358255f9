"""Forms of the HQ setup pages: working calendars, their exceptions, follow-up rules and a generation run."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.scope import Scope
from customers.forms import DateInput
from dealers.models import Dealer

from ..choices import Outcome
from ..models import FollowUpRule, WorkingCalendar
from ..rules import clean_questions

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CalendarForm(forms.ModelForm):
    """A calendar's time zone, working hours with lunch, calling window and use of the official holidays."""

    class Meta:
        model = WorkingCalendar
        fields = ["time_zone", "work_start", "lunch_start", "lunch_end", "work_end", "calls_from", "calls_until",
                  "official_holidays"]
        widgets = dict.fromkeys(("work_start", "lunch_start", "lunch_end", "work_end", "calls_from", "calls_until"),
                                TIME_WIDGET) | {"time_zone": forms.TextInput(attrs={"list": "time-zones"})}


class DealerCalendarForm(CalendarForm):
    """A dealer's own calendar: the dealer (one the scope sees that has none yet) and its hours."""

    dealer = forms.ModelChoiceField(queryset=Dealer.objects.none(), label=_("Dealer"))

    class Meta(CalendarForm.Meta):
        fields = ["dealer", *CalendarForm.Meta.fields]

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        taken = WorkingCalendar.objects.scoped(scope).filter(dealer__isnull=False).values("dealer_id")
        self.fields["dealer"].queryset = Dealer.objects.scoped(scope).exclude(pk__in=taken).order_by("code")
        self.fields["dealer"].label_from_instance = lambda dealer: f"{dealer.code} · {dealer.name}"


class ExceptionForm(forms.Form):
    """One day worked or not, whatever the official calendar says, with a note (a store's own closing day, say)."""

    day = forms.DateField(label=_("Day"), widget=DateInput())
    is_working = forms.TypedChoiceField(
        label=_("This day is"), coerce=lambda value: value == "1", empty_value=None,
        choices=[("0", _("not worked")), ("1", _("worked"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def questions_text(questions) -> str:
    """A rule's questions as the editable JSON text of the form."""
    return json.dumps(questions or [], ensure_ascii=False, indent=2)


class RuleForm(forms.ModelForm):
    """Every field of a follow-up rule (DESIGN §9.2); retry spacing as one number per retried outcome."""

    retry_no_answer = forms.IntegerField(
        label=_("Retry after no answer (minutes)"), min_value=1, max_value=10080, required=False,
        help_text=_("Empty: one hour."))
    retry_busy = forms.IntegerField(
        label=_("Retry after busy (minutes)"), min_value=1, max_value=10080, required=False,
        help_text=_("Empty: one hour."))
    questions_json = forms.CharField(
        label=_("Questions (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_('A list such as [{"code": "satisfied", "text": "…", "type": "scale"}]; types: yes_no, scale, '
                    'choice (with "choices": ["…", "…"]), text.'))

    class Meta:
        model = FollowUpRule
        fields = ["code", "name", "trigger", "offset_days", "queue", "worked_by", "purpose", "due_window_days",
                  "max_attempts", "priority", "script", "is_active"]
        widgets = {"script": forms.Textarea(attrs={"rows": 5})}

    field_order = ["code", "name", "trigger", "offset_days", "queue", "worked_by", "purpose", "due_window_days",
                   "max_attempts", "retry_no_answer", "retry_busy", "priority", "script", "questions_json", "is_active"]

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        if not self.is_bound:
            retry = self.instance.retry_after_minutes or {}
            self.initial.setdefault("retry_no_answer", retry.get(Outcome.NO_ANSWER))
            self.initial.setdefault("retry_busy", retry.get(Outcome.BUSY))
            self.initial.setdefault("questions_json", questions_text(self.instance.questions))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = FollowUpRule.objects.scoped(self.scope).filter(code=code).exclude(pk=self.instance.pk)
        if code and taken.exists():
            raise ValidationError(_("A rule with this code already exists."), code="unique")
        return code

    def clean_questions_json(self) -> list:
        text = self.cleaned_data["questions_json"].strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("Not valid JSON (line %(line)s, column %(column)s): %(message)s"),
                params={"line": exc.lineno, "column": exc.colno, "message": exc.msg}, code="json") from None
        return clean_questions(value)

    def rule_data(self) -> dict:
        """The cleaned values as the rule services take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        # Outcomes the form does not show (callback) keep their spacing.
        retry = {key: value for key, value in (self.instance.retry_after_minutes or {}).items()
                 if key not in (Outcome.NO_ANSWER, Outcome.BUSY)}
        for outcome, field in ((Outcome.NO_ANSWER, "retry_no_answer"), (Outcome.BUSY, "retry_busy")):
            if self.cleaned_data.get(field) is not None:
                retry[str(outcome)] = self.cleaned_data[field]
        data["retry_after_minutes"] = retry
        data["questions"] = self.cleaned_data["questions_json"]
        return data


def _today() -> dt.date:
    return timezone.localdate()


class RunNowForm(forms.Form):
    """Generate follow-ups for one date now (as the daily schedule would), within a year of today."""

    on = forms.DateField(label=_("For date"), initial=_today, widget=DateInput())

    def clean_on(self) -> dt.date:
        day = self.cleaned_data["on"]
        if abs((day - _today()).days) > 366:
            raise ValidationError(_("Choose a date within a year of today."), code="range")
        return day
