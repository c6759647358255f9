"""Forms of the analysis pages: launching a run (its date and parameters) and filtering the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm_site.imports.messages import render_all
from crm_site.scope import Scope

from . import jobs, rules

ALREADY_RUNNING = _("A run is already under way; wait for it to finish.")


class RunForm(forms.Form):
    """The date a run is computed as of; refused while another run of the kind is under way."""

    kind = ""
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean(self):
        data = super().clean()
        if jobs.active_run(self.scope, self.kind) is not None:
            raise ValidationError(ALREADY_RUNNING)
        return data

    def parameters(self) -> dict:
        return {}


class SegmentRunForm(RunForm):
    """k-means as of the customer value's date, with k chosen by the analyst or by the silhouette."""

    kind = jobs.Kind.SEGMENTS
    k = forms.IntegerField(label=_("Number of clusters"), required=False, min_value=2, max_value=12,
                           help_text=_("Leave empty to choose it automatically: the best silhouette over 3 to 8."))

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        problem = jobs.value_date_problem(self.scope, as_of)
        if problem is not None:
            raise ValidationError(render_all([problem.entry]))
        return as_of

    def parameters(self) -> dict:
        return {"k": self.cleaned_data.get("k")}


class RuleRunForm(RunForm):
    """The rule mining: minimum support and confidence, in percent."""

    kind = jobs.Kind.RULES
    min_support = forms.DecimalField(label=_("Minimum support (%)"), min_value=0.1, max_value=50, decimal_places=2,
                                     initial=rules.DEFAULT_MIN_SUPPORT * 100,
                                     help_text=_("Share of all buyers who have the attributes and bought the series."))
    min_confidence = forms.DecimalField(label=_("Minimum confidence (%)"), min_value=1, max_value=100,
                                        decimal_places=2, initial=rules.DEFAULT_MIN_CONFIDENCE * 100,
                                        help_text=_("Share of the buyers with the attributes who bought the series."))

    def parameters(self) -> dict:
        return {"min_support": float(self.cleaned_data["min_support"]) / 100,
                "min_confidence": float(self.cleaned_data["min_confidence"]) / 100}


class RuleFilterForm(forms.Form):
    """Which rules of a run, in which order."""

    ORDER_CHOICES = [("lift", _("Lift")), ("confidence", _("Confidence")), ("support", _("Support")),
                     ("customers", _("Customers covered"))]

    run = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    consequent = forms.ChoiceField(label=_("Series"), required=False)
    min_lift = forms.FloatField(label=_("Minimum lift"), required=False, min_value=0, max_value=1000)
    min_confidence = forms.FloatField(label=_("Minimum confidence (%)"), required=False, min_value=0, max_value=100)
    order = forms.ChoiceField(label=_("Sort by"), choices=ORDER_CHOICES, required=False)

    def __init__(self, *args, series: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consequent"].choices = [("", _("Any")), *((s, s) for s in series)]

    def filters(self) -> dict:
        data = self.cleaned_data
        confidence = data.get("min_confidence")
        return {"min_lift": data.get("min_lift"), "consequent": data.get("consequent") or "",
                "min_confidence": confidence / 100 if confidence is not None else None,
                "order": data.get("order") or "lift"}
