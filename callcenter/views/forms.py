"""Forms of the agent workspace, the hotline, key-account visits and bookings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import DateInput, DateTimeInput
from dealers.models import Dealer
from vehicles.models import VehicleModel

from ..choices import CallCategory, Outcome, QuestionType
from ..queue import OutcomeInput

# Keys 1–6 pick these outcomes in the workspace (the same order as the buttons).
OUTCOME_KEYS = [Outcome.REACHED, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER, Outcome.REFUSED,
                Outcome.CALLBACK]


class OutcomeForm(forms.Form):
    """The outcome of a call, with the rule's questions as fields named q_<code>."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[(o.value, o.label) for o in OUTCOME_KEYS],
                                widget=forms.RadioSelect)
    callback_at = forms.DateTimeField(label=_("Call back at"), required=False, widget=DateTimeInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    do_not_call = forms.BooleanField(label=_("The customer asks never to be called again"), required=False)
    duration_s = forms.IntegerField(required=False, min_value=0, max_value=86400, widget=forms.HiddenInput)
    next_call = forms.BooleanField(label=_("Then take the next call"), required=False, initial=True)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions or [])
        for question in self.questions:
            name, label = f"q_{question['code']}", question["text"]
            kind = question["type"]
            if kind == QuestionType.SCALE:
                field = forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None,
                                               choices=[(n, str(n)) for n in range(1, 6)],
                                               widget=forms.RadioSelect)
            elif kind == QuestionType.YES_NO:
                field = forms.ChoiceField(label=label, required=False, widget=forms.RadioSelect,
                                          choices=[("yes", _("Yes")), ("no", _("No"))])
            elif kind == QuestionType.CHOICE:
                field = forms.ChoiceField(label=label, required=False,
                                          choices=[("", "—")] + [(c, c) for c in question.get("choices", [])])
            else:
                field = forms.CharField(label=label, required=False, max_length=1000)
            self.fields[name] = field

    def question_fields(self):
        return [self[f"q_{q['code']}"] for q in self.questions]

    def outcome_input(self) -> OutcomeInput:
        data = self.cleaned_data
        answers = {q["code"]: data.get(f"q_{q['code']}") for q in self.questions}
        return OutcomeInput(outcome=data["outcome"], notes=data.get("notes") or "",
                            answers={k: v for k, v in answers.items() if v not in (None, "")},
                            callback_at=data.get("callback_at"), do_not_call=bool(data.get("do_not_call")),
                            duration_s=data.get("duration_s") or 0)

    def add_service_errors(self, errors: dict) -> None:
        """Put a service's errors on the fields they name (answers.<code> → q_<code>)."""
        for name, messages in errors.items():
            field = f"q_{name.split('.', 1)[1]}" if name.startswith("answers.") else name
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ScopedDealerField(forms.ModelChoiceField):
    """A dealer of the caller's scope."""

    def __init__(self, scope, **kwargs):
        super().__init__(queryset=Dealer.objects.scoped(scope).filter(is_active=True).order_by("code"), **kwargs)


class HotlineForm(forms.Form):
    """An inbound call: who called (a customer found, or a new caller), about what, and for which store."""

    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    vehicle = forms.IntegerField(required=False, widget=forms.HiddenInput)
    caller_number = forms.CharField(label=_("Caller's number"), required=False, max_length=20)
    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("About"), choices=[
        (c.value, c.label) for c in CallCategory if c != CallCategory.FOLLOW_UP])
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    duration_s = forms.IntegerField(required=False, min_value=0, max_value=86400, widget=forms.HiddenInput)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"] = ScopedDealerField(scope, label=_("Dealer concerned"), required=False)
        self.order_fields(["customer", "vehicle", "caller_number", "caller_name", "category", "dealer", "notes"])


class VisitLogForm(forms.Form):
    """A key-account (大客户) on-site visit, logged as a call of kind visit."""

    started_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    duration_min = forms.IntegerField(label=_("Length (minutes)"), min_value=0, max_value=1440, initial=60)
    notes = forms.CharField(label=_("What was discussed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class LeadFromCallForm(forms.Form):
    """A lead for the store the caller named."""

    interested_model = forms.ModelChoiceField(label=_("Interested in"), required=False,
                                              queryset=VehicleModel.objects.none())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"] = ScopedDealerField(scope, label=_("Dealer"))
        self.fields["interested_model"].queryset = VehicleModel.objects.scoped(scope).filter(is_active=True)
        self.order_fields(["dealer", "interested_model", "notes"])


class BookingFromCallForm(forms.Form):
    """A service appointment request for a store."""

    wanted_on = forms.DateField(label=_("Wanted on"), widget=DateInput())
    notes = forms.CharField(label=_("What for"), required=False, max_length=500)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"] = ScopedDealerField(scope, label=_("Dealer"))
        self.order_fields(["dealer", "wanted_on", "notes"])
