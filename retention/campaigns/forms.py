"""The campaign form: a name, the segment's criteria, the script, who calls, the control share."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.choices import WorkedBy
from crm_site.scope import Scope
from dealers.choices import DEALER_ROLES
from dealers.models import Dealer, Region
from vehicles.models import VehicleModel

from ..choices import AgeBand, State
from ..models import CustomerValue

DEFAULT_SCRIPT = _("Hello {customer}, this is {agent} of {dealer}. Your car ({plate}) has not been in for service "
                   "for a while: we have a service offer for returning customers and would be glad to see you again.")


class CampaignForm(forms.Form):
    """Criteria narrow the newest snapshot's lapsed and lost vehicles (retention.campaigns.criteria)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False,
                                    empty_label=_("All dealers in my scope"))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False,
                                    empty_label=_("Any region"))
    states = forms.MultipleChoiceField(label=_("Lapsed or lost"), widget=forms.CheckboxSelectMultiple,
                                       choices=[(State.LAPSED, State.LAPSED.label), (State.LOST, State.LOST.label)],
                                       initial=[State.LAPSED])
    age_bands = forms.TypedMultipleChoiceField(label=_("Years since delivery"), coerce=int, required=False,
                                               widget=forms.CheckboxSelectMultiple, choices=AgeBand.choices,
                                               help_text=_("None ticked: every age."))
    series = forms.MultipleChoiceField(label=_("Series"), required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("None ticked: every series."))
    tiers = forms.MultipleChoiceField(label=_("Value tier"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=CustomerValue.Tier.choices,
                                      help_text=_("None ticked: any tier (customers without a value too)."))
    clusters = forms.TypedMultipleChoiceField(
        label=_("Customer segment (k-means cluster)"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Clusters of the newest segmentation run. None ticked: any segment."))
    worked_by = forms.ChoiceField(label=_("Called by"), choices=WorkedBy.choices, initial=WorkedBy.DEALER)
    control_share = forms.IntegerField(label=_("Control share (%)"), min_value=0, max_value=50, initial=10,
                                       help_text=_("Held out at random and not called, to measure the return against."))
    script = forms.CharField(label=_("Script"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                             initial=DEFAULT_SCRIPT,
                             help_text=_("What the agent reads. Placeholders: {customer}, {model}, {vin}, {plate}, "
                                         "{dealer}, {date}, {due_on}, {agent}."))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["dealer"].queryset = Dealer.objects.scoped(scope).order_by("code")
        self.fields["region"].queryset = Region.objects.scoped(scope).order_by("code")
        if scope.role in DEALER_ROLES:
            # A store's manager builds campaigns of the store only.
            del self.fields["region"]
            self.fields["dealer"].empty_label = None
        self.cluster_run = self._cluster_run(scope)
        if self.cluster_run is None:
            del self.fields["clusters"]
        else:
            from ..segments.sentences import cluster_sentence

            self.fields["clusters"].choices = [
                (c.number, _("Cluster %(n)s (%(size)s customers): %(sentence)s") % {
                    "n": c.number, "size": f"{c.size:,}", "sentence": cluster_sentence(c.traits)})
                for c in self.cluster_run.clusters.order_by("number")]
        self.fields["series"].choices = [(s, s) for s in VehicleModel.objects.scoped(scope).order_by("series")
                                         .values_list("series", flat=True).distinct()]

    @staticmethod
    def _cluster_run(scope: Scope):
        """The newest finished segmentation run, for those who may read the segments (None otherwise)."""
        from ..access import SEGMENT_VIEW
        from ..segments.models import AnalysisRun
        from ..segments.selectors import latest_done

        return latest_done(scope, AnalysisRun.Kind.SEGMENTS) if SEGMENT_VIEW.allows(scope) else None

    def clean(self):
        data = super().clean()
        dealer, region = data.get("dealer"), data.get("region")
        if dealer and region and dealer.region_id != region.pk:
            self.add_error("dealer", _("This dealer is not in the region chosen."))
        return data

    def criteria(self) -> dict:
        """The stored criteria (the place is kept in its own columns)."""
        data = self.cleaned_data
        criteria = {"states": list(data.get("states") or []), "age_bands": list(data.get("age_bands") or []),
                    "series": list(data.get("series") or []), "tiers": list(data.get("tiers") or [])}
        if data.get("clusters"):
            # The run is frozen with the numbers: a later run numbers its clusters afresh.
            criteria["clusters"] = {"run": self.cluster_run.pk, "numbers": sorted(data["clusters"])}
        return criteria

    def segment_criteria(self) -> dict:
        """The criteria the segment is narrowed by, place included."""
        data = self.cleaned_data
        return {**self.criteria(), "dealer": data["dealer"].pk if data.get("dealer") else None,
                "region": data["region"].pk if data.get("region") else None}

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "dealer": data.get("dealer"), "region": data.get("region"),
                "criteria": self.criteria(), "script": data["script"], "worked_by": data["worked_by"],
                "control_share": data["control_share"]}
