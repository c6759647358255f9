"""API of the queue: follow-ups with claim-next, renew, release and outcome (DESIGN §9.2)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from crm_site.api.filters import DealerFilter, ScopedFilterSet
from crm_site.api.router import router
from crm_site.api.viewsets import ScopedViewSetMixin

from ..access import QUEUE_WORK
from ..choices import TaskStatus
from ..models import FollowUpRule, FollowUpTask
from ..queue import (
    OutcomeInput,
    OutsideCallingWindow,
    followup_claim_next,
    followup_outcome,
    followup_release,
    followup_renew,
)
from .serializers import ClaimedSerializer, ClaimSerializer, FollowUpSerializer, OutcomeSerializer, RenewedSerializer


class FollowUpFilterSet(ScopedFilterSet):
    """Filters of §9.2: queue, status, dealer, rule, due before, agent, changed after."""

    queue = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    dealer = DealerFilter()
    rule = django_filters.ModelChoiceFilter(queryset=FollowUpRule.objects.all())
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due on or before"))
    assigned_to = django_filters.NumberFilter(field_name="assigned_to_id", min_value=1, max_value=2**63 - 1)
    customer = django_filters.NumberFilter(field_name="customer_id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = FollowUpTask
        fields = ["queue", "status", "dealer", "rule", "due_before", "assigned_to", "customer"]


def service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's validation error as the API's 400."""
    return serializers.ValidationError(serializers.as_serializer_error(exc))


class FollowUpViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-up tasks in the caller's scope; agents claim, renew, release and record outcomes."""

    resource = "follow-ups"
    queryset = FollowUpTask.objects.select_related("rule")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    action_permissions = {"claim_next": QUEUE_WORK, "renew": QUEUE_WORK, "release": QUEUE_WORK,
                          "outcome": QUEUE_WORK}

    def check_may(self):
        if not self.may_write(self.scope):
            raise PermissionDenied

    @extend_schema(request=ClaimSerializer, responses={200: ClaimedSerializer, 204: OpenApiResponse(
        description="No task to call now (the X-Next-Calling-Slot header says when calling may start).")})
    @action(detail=False, methods=["post"], url_path="claim-next")
    def claim_next(self, request):
        """Take the most urgent task you may work (priority, then due date), held under a lease."""
        self.check_may()
        body = ClaimSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            tasks = followup_claim_next(scope=self.scope, queue=body.validated_data.get("queue", ""))
        except OutsideCallingWindow as exc:
            response = Response(status=status.HTTP_204_NO_CONTENT)
            response["X-Next-Calling-Slot"] = exc.next_slot.isoformat()
            return response
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Your role works no follow-up queue.")) from None
        if not tasks:
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = ClaimedSerializer(tasks[0], context={"bundle": [t.pk for t in tasks], "request": request}).data
        return Response(data)

    @extend_schema(request=None, responses=RenewedSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Keep holding the task (the lease is extended)."""
        task = self.get_object()
        self.check_may()
        try:
            until = followup_renew(scope=self.scope, task=task)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from None
        return Response({"claimed_until": until})

    @extend_schema(request=None, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Give the task back to the queue."""
        task = self.get_object()
        self.check_may()
        try:
            task = followup_release(scope=self.scope, task=task)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from None
        except DjangoValidationError as exc:
            raise service_errors(exc) from None
        return Response(FollowUpSerializer(task).data)

    @extend_schema(request=OutcomeSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Record the call you made for the task you hold."""
        task = self.get_object()
        self.check_may()
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = OutcomeInput(**body.validated_data)
        try:
            followup_outcome(scope=self.scope, task=task, data=data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from None
        except DjangoValidationError as exc:
            raise service_errors(exc) from None
        task.refresh_from_db()
        return Response(FollowUpSerializer(task).data)


router.register("follow-ups", FollowUpViewSet, basename="follow-up")
