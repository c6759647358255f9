"""`/api/v1/retention/campaigns/`: list, create and retrieve win-back campaigns (results in the detail), launch."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm_site.api.filters import DealerFilter, ScopedFilterSet
from crm_site.api.router import router
from crm_site.api.serializers import ScopedPrimaryKeyRelatedField
from crm_site.api.viewsets import ScopedModelViewSet
from crm_site.scope import scope_for_request
from dealers.models import Dealer, Region

from ..access import CAMPAIGN_CREATE, CAMPAIGN_VIEW
from ..choices import AgeBand
from ..models import CustomerValue
from .forms import CampaignForm
from .models import Campaign, WorkedBy
from .results import campaign_results
from .services import campaign_create, campaign_launch

CRITERIA = ("states", "age_bands", "series", "tiers")


def results_json(results) -> dict | None:
    """Called and control figures, the difference of return rates and its interval, and whether it is final."""
    if results is None:
        return None

    def group(g):
        return {"members": g.members, "contacted": g.contacted, "reached": g.reached, "booked": g.booked,
                "returned": g.returned, "return_rate": g.rate("returned")}

    d = results.difference
    return {"called": group(results.called), "control": group(results.control),
            "return_rate_difference": {"estimate": d.estimate, "ci95_low": d.low, "ci95_high": d.high,
                                       "method": "newcombe_hybrid_score"},
            "final_on": results.final_on, "too_early": results.too_early, "excluded": results.excluded}


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign; the criteria are its own fields, checked as the browser form checks them."""

    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all(), required=False, allow_null=True)
    region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    states = serializers.ListField(child=serializers.ChoiceField(choices=["lapsed", "lost"]), allow_empty=False,
                                   write_only=True, help_text=_("Lapsed, lost or both."))
    age_bands = serializers.ListField(child=serializers.ChoiceField(choices=AgeBand.values), required=False,
                                      write_only=True)
    series = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                   write_only=True)
    tiers = serializers.ListField(child=serializers.ChoiceField(choices=CustomerValue.Tier.values), required=False,
                                  write_only=True)
    clusters = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, write_only=True,
                                     help_text=_("Cluster numbers of the newest segmentation run."))
    worked_by = serializers.ChoiceField(choices=WorkedBy.choices, default=WorkedBy.DEALER)
    results = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "name", "dealer", "region", *CRITERIA, "clusters", "script", "worked_by", "control_share", "created_by",
                  "created_at", "launched_at", "launched_by", "snapshot_as_of", "rule", "launch_result", "results"]
        read_only_fields = ["created_by", "created_at", "launched_at", "launched_by", "snapshot_as_of", "rule",
                            "launch_result"]

    def to_representation(self, instance):
        # The criteria are stored together in `criteria` and shown as fields of their own.
        data = super().to_representation(instance)
        for name in CRITERIA:
            data[name] = (instance.criteria or {}).get(name, [])
        data["clusters"] = (instance.criteria or {}).get("clusters")  # {"run", "numbers"} or null
        return data

    def get_results(self, campaign) -> dict | None:
        view = self.context.get("view")
        if getattr(view, "action", None) not in ("retrieve", "launch"):
            return None  # the list stays one query; the figures are in the detail
        return results_json(campaign_results(scope_for_request(self.context["request"]), campaign))

    def validate(self, attrs):
        scope = scope_for_request(self.context["request"])
        data = {name: attrs[name] for name in ("name", "script", "worked_by") if name in attrs}
        data["control_share"] = attrs.get("control_share", Campaign._meta.get_field("control_share").default)
        data |= {name: [str(v) for v in attrs.get(name) or []] for name in (*CRITERIA, "clusters")}
        data |= {name: attrs[name].pk for name in ("dealer", "region") if attrs.get(name) is not None}
        form = CampaignForm(data, scope=scope)
        if not form.is_valid():
            errors = {("non_field_errors" if k == "__all__" else k): v for k, v in form.errors.items()}
            raise serializers.ValidationError(errors)
        return form.service_data()


class CampaignFilterSet(ScopedFilterSet):
    dealer = DealerFilter(field_name="dealer_id")
    launched = django_filters.BooleanFilter(field_name="launched_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Campaign
        fields = ["dealer", "launched"]


class CampaignViewSet(ScopedModelViewSet):
    """Win-back campaigns in the caller's scope: HQ all, a region its region's, a store its own."""

    resource = "retention/campaigns"
    queryset = Campaign.objects.select_related("dealer", "region").order_by("-created_at", "-id")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    http_method_names = ["get", "post", "head", "options"]
    write_permission = CAMPAIGN_CREATE

    def get_queryset(self):
        if not (CAMPAIGN_VIEW.allows(self.scope) or CAMPAIGN_CREATE.allows(self.scope)):
            return Campaign.objects.none()
        return super().get_queryset()

    def perform_create(self, serializer):
        try:
            serializer.instance = campaign_create(scope=self.scope, data=serializer.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        self.ensure_in_scope(serializer.instance)

    @extend_schema(request=None, responses=CampaignSerializer,
                   summary="Launch the campaign: members frozen, the called group's tasks made (once)")
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        campaign = self.get_object()
        try:
            result = campaign_launch(scope=self.scope, campaign=campaign)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        campaign.refresh_from_db()
        data = self.get_serializer(campaign).data
        return Response({**data, "already": result["already"]})


router.register("retention/campaigns", CampaignViewSet, basename="campaign")
