"""`GET /api/v1/retention/customer-value/`: each customer's RFM scores, 3R and value tier, filtered (§9.5)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from crm_site.api.filters import ScopedFilterSet
from crm_site.api.router import router
from crm_site.api.viewsets import ScopedReadOnlyViewSet

from ..models import CustomerValue


class CustomerValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerValue
        fields = ["id", "customer", "as_of", "recency_days", "visits", "spend", "r", "f", "m", "vehicles_bought",
                  "rebuy", "related", "referrals", "referrals_won", "tier"]
        read_only_fields = fields


class CustomerValueFilterSet(ScopedFilterSet):
    tier = django_filters.ChoiceFilter(choices=CustomerValue.Tier.choices)
    min_r = django_filters.NumberFilter(field_name="r", lookup_expr="gte", min_value=1, max_value=5)
    min_f = django_filters.NumberFilter(field_name="f", lookup_expr="gte", min_value=1, max_value=5)
    min_m = django_filters.NumberFilter(field_name="m", lookup_expr="gte", min_value=1, max_value=5)
    rebuy = django_filters.BooleanFilter()
    customer = django_filters.NumberFilter(field_name="customer_id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = CustomerValue
        fields = ["tier", "rebuy", "customer"]

    # Values are rebuilt, not updated: no `updated_after`.
    updated_after = None


class CustomerValueViewSet(ScopedReadOnlyViewSet):
    """Customer values in the caller's scope."""

    resource = "retention/customer-value"
    queryset = CustomerValue.objects.all()
    serializer_class = CustomerValueSerializer
    filterset_class = CustomerValueFilterSet


router.register("retention/customer-value", CustomerValueViewSet, basename="customer-value")
