"""The `follow-up-rules` resource: HQ readers and API clients list them, OEM administrators change them."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed

from crm_site.api.router import router
from crm_site.api.viewsets import ScopedModelViewSet

from .. import calendars
from ..access import RULE_EDIT, RULE_VIEW
from ..models import FollowUpRule
from .rule_serializers import FollowUpRuleFilterSet, FollowUpRuleSerializer


@extend_schema_view(
    list=extend_schema(summary="List the follow-up rules"),
    create=extend_schema(summary="Add a follow-up rule"),
    partial_update=extend_schema(summary="Change a follow-up rule (is_active false pauses it)"),
)
class FollowUpRuleViewSet(ScopedModelViewSet):
    """Follow-up rules (回访 / 关怀) of the tenant; there is no DELETE: pausing a rule is `is_active`."""

    resource = "follow-up-rules"
    queryset = FollowUpRule.objects.all()
    serializer_class = FollowUpRuleSerializer
    filterset_class = FollowUpRuleFilterSet
    write_permission = RULE_EDIT

    def get_queryset(self):
        # Rules are HQ's: a principal that may not read them finds none, as with any row outside its scope.
        if not (RULE_VIEW.allows(self.scope) or RULE_EDIT.allows(self.scope)):
            return FollowUpRule.objects.none()
        return super().get_queryset()

    @extend_schema(exclude=True)
    def destroy(self, request, *args, **kwargs):
        # Rules are never deleted (tasks refer to them): pausing is `is_active`. A rule outside the scope stays a 404.
        get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        raise MethodNotAllowed(request.method)

    def perform_create(self, serializer):
        try:
            serializer.instance = calendars.rule_create(scope=self.scope, data=serializer.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc

    def perform_update(self, serializer):
        try:
            serializer.instance = calendars.rule_update(scope=self.scope, rule=serializer.instance,
                                                        data=serializer.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc


router.register("follow-up-rules", FollowUpRuleViewSet, basename="follow-up-rule")
