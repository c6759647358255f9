"""The `complaints` API resource (§9.3): list, open, correct, and the actions of the complaint's life."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from crm_site.api.router import router
from crm_site.api.viewsets import ScopedModelViewSet

from ..access import COMPLAINT_CONFIRM, COMPLAINT_ESCALATE, COMPLAINT_OPEN, COMPLAINT_WORK
from ..models import Complaint, ComplaintEvent
from . import services
from .filtersets import ComplaintFilterSet
from .serializers import ACTION_SERIALIZERS, ComplaintSerializer


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def complaint_action(name: str, summary: str):
    """One POST action on a complaint: validated input, the service, the complaint back."""

    def handler(self, request, pk=None):
        complaint = self.get_object()
        form = ACTION_SERIALIZERS[name](data=request.data)
        form.is_valid(raise_exception=True)
        from .views import run_action

        try:
            with transaction.atomic():
                run_action(self.scope, complaint, name, form.validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=complaint.pk)).data)

    handler.__name__ = handler.__qualname__ = name  # DRF names the route and the method after the function
    handler = action(detail=True, methods=["post"], url_path=name, filter_backends=[], pagination_class=None)(handler)
    return extend_schema(summary=summary, request=ACTION_SERIALIZERS[name], responses=ComplaintSerializer)(handler)


@extend_schema_view(
    list=extend_schema(summary="Complaints in your scope (a DMS pulls its dealer's with updated_after)"),
    create=extend_schema(summary="Open a complaint: numbered, due times computed, the dealer manager told"),
    partial_update=extend_schema(summary="Correct category, severity, description or vehicle"),
)
class ComplaintViewSet(ScopedModelViewSet):
    """Complaints (投诉): a dealer sees its own, a region manager the region's, HQ and the call center all."""

    resource = "complaints"
    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilterSet
    write_permission = COMPLAINT_OPEN
    action_permissions = {
        "acknowledge": COMPLAINT_WORK, "note": COMPLAINT_WORK, "wait": COMPLAINT_WORK, "resume": COMPLAINT_WORK,
        "resolve": COMPLAINT_WORK, "confirm": COMPLAINT_CONFIRM, "escalate": COMPLAINT_ESCALATE,
    }

    def get_queryset(self):
        events = Prefetch("events", queryset=ComplaintEvent.objects.order_by("at", "id"))
        return super().get_queryset().prefetch_related(events).order_by("-updated_at", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            with transaction.atomic():
                complaint = services.complaint_open(
                    scope=self.scope, channel=data["channel"], customer=data["customer"],
                    dealer=self._dealer(data["dealer_id"]), severity=data.get("severity", "normal"),
                    description=data["description"], category=data.get("category"), vehicle=data.get("vehicle"))
                self.ensure_in_scope(complaint)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        serializer.instance = self.get_queryset().get(pk=complaint.pk)

    def _dealer(self, dealer_id: int):
        from dealers.models import Dealer

        return Dealer.objects.scoped(self.scope).get(pk=dealer_id)

    def perform_update(self, serializer):
        data = serializer.validated_data
        try:
            with transaction.atomic():
                services.complaint_change(scope=self.scope, complaint=serializer.instance, data=dict(data))
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def destroy(self, request, *args, **kwargs):
        self.get_object()  # another dealer's complaint answers 404 first
        raise MethodNotAllowed(request.method, detail="Complaints are never deleted; close them.")

    acknowledge = complaint_action("acknowledge", "First contact made (acknowledge)")
    note = complaint_action("note", "Add a note to the timeline")
    wait = complaint_action("wait", "Waiting for the customer: the clock pauses")
    resume = complaint_action("resume", "The customer answered: the clock runs again")
    resolve = complaint_action("resolve", "Propose the resolution")
    confirm = complaint_action("confirm", "The customer's confirmation call (rejected reopens it)")
    escalate = complaint_action("escalate", "Escalate one level by hand, with a reason")


router.register("complaints", ComplaintViewSet, basename="complaint")
