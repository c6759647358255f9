"""API of calls: every outbound attempt and inbound hotline call; agents and stores log calls (DESIGN §9.2)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from crm_site.api.filters import DealerFilter, ScopedFilterSet
from crm_site.api.router import router
from crm_site.api.viewsets import ScopedViewSetMixin

from ..access import CALL_LOG
from ..calls import CallInput, call_log
from ..choices import CallCategory, Direction
from ..models import Call
from .followups import service_errors
from .serializers import CallSerializer


class CallFilterSet(ScopedFilterSet):
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    category = django_filters.ChoiceFilter(choices=CallCategory.choices)
    dealer = DealerFilter()
    customer = django_filters.NumberFilter(field_name="customer_id", min_value=1, max_value=2**63 - 1)
    follow_up = django_filters.NumberFilter(field_name="follow_up_id", min_value=1, max_value=2**63 - 1)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")

    class Meta:
        model = Call
        fields = ["direction", "category", "dealer", "customer", "follow_up", "started_after"]


class CallViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Calls in the caller's scope; POST logs one (inbound: the call center only)."""

    resource = "calls"
    queryset = Call.objects.all()
    serializer_class = CallSerializer
    filterset_class = CallFilterSet
    write_permission = CALL_LOG

    def perform_create(self, serializer):
        if not self.may_write(self.scope):
            raise PermissionDenied
        values = dict(serializer.validated_data)
        dealer = values.pop("dealer", None)
        data = CallInput(dealer_id=dealer.pk if dealer else None, **values)
        try:
            serializer.instance = call_log(scope=self.scope, data=data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from None
        except DjangoValidationError as exc:
            raise service_errors(exc) from None


router.register("calls", CallViewSet, basename="call")
