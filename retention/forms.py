"""Forms of the retention pages: what a dashboard is drawn for, the vehicle list's filters, the windows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AgeBand, State
from .models import RetentionSettings

STATE_CHOICES = [("", _("Any")), ("retained", _("Retained")), *State.choices]


class AsOfForm(forms.Form):
    """The snapshot date (empty: the newest) and, on the dashboard, a region."""

    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)


class VehicleFilterForm(AsOfForm):
    """Which vehicles of a snapshot: a dealer, a state, an age band, defected only."""

    dealer = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    band = forms.TypedChoiceField(label=_("Years since delivery"), coerce=int, empty_value=None, required=False,
                                  choices=[("", _("Any")), *AgeBand.choices])
    defected = forms.BooleanField(label=_("Defected only"), required=False)


class MonthForm(forms.Form):
    """A month (YYYY-MM) and, for HQ, a dealer."""

    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    dealer = forms.IntegerField(required=False, min_value=1, max_value=2**62)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = RetentionSettings
        fields = ["retained_months", "active_months", "lapsed_months", "lost_months", "small_base"]

    def clean(self):
        data = super().clean()
        retained, active = data.get("retained_months"), data.get("active_months")
        lapsed, lost = data.get("lapsed_months"), data.get("lost_months")
        if retained and active and active > retained:
            self.add_error("active_months", _("The active window cannot be longer than the retained window."))
        if lapsed and lost and lost <= lapsed:
            self.add_error("lost_months", _("Lost must be longer ago than lapsed."))
        return data
