"""Forms of the supervisor board: the period shown, and the agent a held task is handed to."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.scope import Scope

from .selectors import Period, active_agents


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO value it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """A day or the week holding it; today when not given."""

    period = forms.ChoiceField(label=_("period"), required=False,
                               choices=[("day", _("Day")), ("week", _("Week (Monday to Sunday)"))])
    on = forms.DateField(label=_("date"), required=False, widget=DateInput())

    def __init__(self, data=None, *, today: date):
        super().__init__(data, initial={"period": "day", "on": today})
        self.today = today

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on is not None and on > self.today:
            raise forms.ValidationError(_("Choose today or an earlier day."))
        return on

    def chosen(self) -> Period:
        """The period asked for, or today when the form is empty or wrong (its errors are shown)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Period.of(data.get("period") or "day", data.get("on") or self.today)


class AgentChoiceField(forms.ModelChoiceField):
    """An agent, named with their role."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username} ({obj.get_role_display()})"


class ReassignForm(forms.Form):
    """Hand a held task to another active agent or supervisor of the tenant."""

    agent = AgentChoiceField(label=_("agent"), queryset=None,
                             error_messages={"invalid_choice": _("Choose an active agent or supervisor of the "
                                                                 "call center.")})

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = active_agents(scope)
