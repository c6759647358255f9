"""`GET /api/v1/retention/segments/` and `/retention/association-rules/` (§9.5): the newest finished run by default.

Read-only. Holders of SEGMENT_VIEW read them; to others, as for the follow-up rules, the lists are empty. The
sentence is rendered in the request's language from the stored traits.
"""

from __future__ import annotations

import django_filters
from django.db.models import Subquery
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from crm_site.api.filters import ScopedFilterSet
from crm_site.api.router import router
from crm_site.api.viewsets import ScopedReadOnlyViewSet

from ..access import SEGMENT_VIEW
from . import selectors
from .models import AnalysisRun, AssociationRule, Cluster
from .sentences import cluster_sentence, item_phrase, rule_sentence


class ClusterSerializer(serializers.ModelSerializer):
    as_of = serializers.DateField(source="run.as_of", read_only=True)
    sentence = serializers.SerializerMethodField(help_text="The cluster in one sentence, in the request's language.")

    class Meta:
        model = Cluster
        fields = ["id", "run", "as_of", "number", "size", "share", "sentence", "traits", "r", "f", "m", "visits",
                  "spend", "tier_mix"]
        read_only_fields = fields

    def get_sentence(self, obj) -> str:
        return cluster_sentence(obj.traits)


class RuleSerializer(serializers.ModelSerializer):
    as_of = serializers.DateField(source="run.as_of", read_only=True)
    antecedent = serializers.SerializerMethodField(help_text='[{"attribute", "value", "text"}]')
    sentence = serializers.SerializerMethodField(help_text="The rule in one sentence, in the request's language.")

    class Meta:
        model = AssociationRule
        fields = ["id", "run", "as_of", "antecedent", "consequent", "support", "confidence", "lift", "customers",
                  "antecedent_customers", "sentence"]
        read_only_fields = fields

    def get_antecedent(self, obj) -> list[dict]:
        items = [item.split(":", 1) for item in obj.antecedent]
        return [{"attribute": a, "value": v, "text": item_phrase(a, v)} for a, v in items]

    def get_sentence(self, obj) -> str:
        return rule_sentence(obj)


class RunFilterSet(ScopedFilterSet):
    run = django_filters.NumberFilter(field_name="run_id", min_value=1, max_value=2**63 - 1)

    # Results are rebuilt by runs, never updated: no `updated_after`.
    updated_after = None


class ClusterFilterSet(RunFilterSet):
    class Meta:
        model = Cluster
        fields = ["run"]


class RuleFilterSet(RunFilterSet):
    min_lift = django_filters.NumberFilter(field_name="lift", lookup_expr="gte", min_value=0)
    min_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="gte", min_value=0,
                                                 max_value=1, help_text="A share, 0 to 1.")
    min_support = django_filters.NumberFilter(field_name="support", lookup_expr="gte", min_value=0, max_value=1,
                                              help_text="A share, 0 to 1.")
    consequent = django_filters.CharFilter(field_name="consequent", max_length=64, help_text="A series name.")

    class Meta:
        model = AssociationRule
        fields = ["run", "consequent"]


class RunResultsViewSet(ScopedReadOnlyViewSet):
    """The rows of one run: `?run=<id>` (404 when not a finished run in scope), by default the newest."""

    kind = ""

    def get_queryset(self):
        rows = super().get_queryset().select_related("run")
        return rows if SEGMENT_VIEW.allows(self.scope) else rows.none()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list" or not SEGMENT_VIEW.allows(self.scope):
            return queryset
        run_id = self.request.query_params.get("run")
        if run_id:  # valid (the filter set checked it); it must be a finished run the scope sees
            run = selectors.runs(self.scope, self.kind).filter(pk=run_id, status=AnalysisRun.Status.DONE).first()
            if run is None:
                raise NotFound
            return queryset
        # The newest finished run as a subquery: the page stays one query.
        latest = selectors.runs(self.scope, self.kind).filter(status=AnalysisRun.Status.DONE).order_by(
            "-finished_at", "-id").values("pk")[:1]
        return queryset.filter(run_id=Subquery(latest))


class SegmentViewSet(RunResultsViewSet):
    """k-means clusters: size, share, mean value scores, tier mix, the traits and the sentence."""

    resource = "retention/segments"
    kind = AnalysisRun.Kind.SEGMENTS
    queryset = Cluster.objects.all()
    serializer_class = ClusterSerializer
    filterset_class = ClusterFilterSet


class AssociationRuleViewSet(RunResultsViewSet):
    """Rules attributes → series bought, in order of lift (highest first: they are stored in that order)."""

    resource = "retention/association-rules"
    kind = AnalysisRun.Kind.RULES
    queryset = AssociationRule.objects.all()
    serializer_class = RuleSerializer
    filterset_class = RuleFilterSet


router.register("retention/segments", SegmentViewSet, basename="retention-segments")
router.register("retention/association-rules", AssociationRuleViewSet, basename="retention-association-rules")
