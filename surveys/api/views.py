"""The survey resources: `survey-templates`, `survey-invitations`, `survey-responses`, `survey-indices` (§9.4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from crm_site.api.permissions import ScopePermission
from crm_site.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from crm_site.scope import scope_for_request

from .. import selectors, services
from ..access import INDEX_VIEW, RESPONSE_RECORD, RESPONSE_VIEW, TEMPLATE_EDIT, TEMPLATE_VIEW
from ..choices import AnsweredVia
from ..models import SurveyInvitation, SurveyResponse, SurveyTemplate
from .serializers import SurveyInvitationSerializer, SurveyResponseSerializer, SurveyTemplateSerializer


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(exc))


class TemplateFilterSet(filters.FilterSet):
    class Meta:
        model = SurveyTemplate
        fields = ["kind", "code", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="List the survey templates (current versions; all_versions=true for every one)"),
    create=extend_schema(summary="Add a survey template"),
    partial_update=extend_schema(summary="Change a survey template: answers with the new version"),
    update=extend_schema(summary="Change a survey template: answers with the new version"),
)
class SurveyTemplateViewSet(ScopedModelViewSet):
    """Survey templates of the tenant; a change makes a new version, responses keep theirs; no DELETE."""

    resource = "survey-templates"
    queryset = SurveyTemplate.objects.all()
    serializer_class = SurveyTemplateSerializer
    filterset_class = TemplateFilterSet
    write_permission = TEMPLATE_EDIT

    def get_queryset(self):
        if not (TEMPLATE_VIEW.allows(self.scope) or TEMPLATE_EDIT.allows(self.scope)):
            return SurveyTemplate.objects.none()
        queryset = super().get_queryset().order_by("code", "-version")
        if self.action == "list" and self.request.query_params.get("all_versions") not in ("true", "1"):
            queryset = queryset.filter(is_current=True)
        return queryset

    @extend_schema(exclude=True)
    def destroy(self, request, *args, **kwargs):
        get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        raise MethodNotAllowed(request.method)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.template_create(scope=self.scope, data=dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)
        data.pop("kind", None)
        try:
            serializer.instance = services.template_update(scope=self.scope, template=serializer.instance, data=data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class InvitationFilterSet(filters.FilterSet):
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")

    class Meta:
        model = SurveyInvitation
        fields = ["status", "channel", "kind", "dealer", "customer", "template"]


@extend_schema_view(list=extend_schema(summary="List survey invitations (links shown for pending ones)"))
class SurveyInvitationViewSet(ScopedReadOnlyViewSet):
    """Invitations (read): generated daily and on demand by `generate_survey_invitations`."""

    resource = "survey-invitations"
    queryset = SurveyInvitation.objects.select_related("dealer").order_by("-id")
    serializer_class = SurveyInvitationSerializer
    filterset_class = InvitationFilterSet

    def get_queryset(self):
        if not RESPONSE_VIEW.allows(self.scope):
            return SurveyInvitation.objects.none()
        return super().get_queryset()


class ResponseFilterSet(filters.FilterSet):
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")
    month = filters.DateFilter(field_name="month")

    class Meta:
        model = SurveyResponse
        fields = ["kind", "dealer", "customer", "template", "nps_category", "via"]


@extend_schema_view(
    list=extend_schema(summary="List survey responses with their stored scores"),
    create=extend_schema(summary="Answer a survey invitation (agents, or a dealer system for its own store)"),
)
class SurveyResponseViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, GenericViewSet):
    """Responses: created once per invitation, never changed (the score belongs to the answers given)."""

    resource = "survey-responses"
    queryset = SurveyResponse.objects.select_related("template").order_by("-id")
    serializer_class = SurveyResponseSerializer
    filterset_class = ResponseFilterSet
    write_permission = RESPONSE_RECORD

    def get_queryset(self):
        if not (RESPONSE_VIEW.allows(self.scope) or RESPONSE_RECORD.allows(self.scope)):
            return SurveyResponse.objects.none()
        return super().get_queryset()

    def perform_create(self, serializer):
        invitation = serializer.validated_data["invitation"]
        answers = [dict(a) for a in serializer.validated_data.get("answers_input", [])]
        scope = self.scope
        try:
            serializer.instance = services.response_record(
                scope=scope, invitation=invitation, answers=answers,
                via=AnsweredVia.API if scope.is_api_client else AnsweredVia.CALL,
                respondent=self.request.user if not scope.is_api_client else None)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


INDEX_ROW = {
    "dealer": serializers.IntegerField(required=False), "region": serializers.IntegerField(required=False),
    "tenant": serializers.IntegerField(required=False), "name": serializers.CharField(),
    "responses": serializers.IntegerField(), "index": serializers.FloatField(allow_null=True),
    "top_box_rate": serializers.FloatField(allow_null=True), "nps": serializers.FloatField(allow_null=True),
    "factors": serializers.DictField(child=serializers.FloatField()), "small_sample": serializers.BooleanField(),
    "rank": serializers.IntegerField(allow_null=True), "ranked": serializers.IntegerField(allow_null=True),
    "previous_index": serializers.FloatField(allow_null=True), "change": serializers.FloatField(allow_null=True),
}


class SurveyIndicesView(APIView):
    """`GET survey-indices/?template=ID&month=YYYY-MM&group_by=dealer|region|tenant` (read only)."""

    permission_classes = [ScopePermission]
    resource = "survey-indices"

    @extend_schema(
        summary="Satisfaction indices for a month: index, top box, NPS, factors, rank and change",
        parameters=[OpenApiParameter("template", OpenApiTypes.INT, required=True),
                    OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM"),
                    OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(selectors.GROUPS))],
        responses={200: inline_serializer("SurveyIndices", fields={
            "results": inline_serializer("SurveyIndexRow", fields=INDEX_ROW, many=True)})},
    )
    def get(self, request):
        scope = scope_for_request(request)
        if not INDEX_VIEW.allows(scope):
            raise PermissionDenied()
        errors = {}
        template = None
        raw = request.query_params.get("template", "")
        if not raw.isdigit() or len(raw) > 18:
            errors["template"] = [_("Give the template id.")]
        else:
            template = SurveyTemplate.objects.scoped(scope).filter(pk=int(raw)).first()
            if template is None:
                errors["template"] = [_("Unknown template.")]
        try:
            month = selectors.month_start(request.query_params.get("month", ""))
        except ValueError:
            errors["month"] = [_("Give the month as YYYY-MM.")]
        group_by = request.query_params.get("group_by", "dealer")
        if group_by not in selectors.GROUPS:
            errors["group_by"] = [_("One of dealer, region, tenant.")]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return Response({"results": selectors.indices(scope=scope, template=template, month=month,
                                                      group_by=group_by)})
