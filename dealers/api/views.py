"""API views of the organisation resources."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from crm_site.api.viewsets import ScopedModelViewSet

from .. import services
from ..access import API_CLIENT_MANAGE, ORG_EDIT, STAFF_MANAGE, may_manage_user
from ..filtersets import ApiClientFilterSet, DealerFilterSet, RegionFilterSet, UserFilterSet
from ..models import ApiClient, Dealer, Region, User
from .serializers import ApiClientSerializer, DealerSerializer, RegionSerializer, UserSerializer


class RegionViewSet(ScopedModelViewSet):
    """Sales regions (大区) of the tenant."""

    resource = "regions"
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    write_permission = ORG_EDIT


class DealerViewSet(ScopedModelViewSet):
    """Dealers (4S stores) of the tenant."""

    resource = "dealers"
    queryset = Dealer.objects.all()
    serializer_class = DealerSerializer
    filterset_class = DealerFilterSet
    write_permission = ORG_EDIT


class UserViewSet(ScopedModelViewSet):
    """Staff users; DELETE deactivates the user and revokes their tokens (history keeps them)."""

    resource = "users"
    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    write_permission = STAFF_MANAGE

    def may_write(self, scope, obj=None) -> bool:
        return may_manage_user(scope, obj)

    def perform_destroy(self, instance):
        services.user_deactivate(scope=self.scope, user=instance)


class ApiClientViewSet(ScopedModelViewSet):
    """API clients (DMS and integrations) with revocable tokens; DELETE revokes."""

    resource = "api-clients"
    queryset = ApiClient.objects.select_related("dealer")
    serializer_class = ApiClientSerializer
    filterset_class = ApiClientFilterSet
    write_permission = API_CLIENT_MANAGE

    def perform_create(self, serializer):
        data = serializer.validated_data
        client, token = services.api_client_create(
            scope=self.scope,
            name=data["name"],
            dealer=data.get("dealer") or None,
            access=data.get("access"),
            resources=data.get("resources"),
        )
        if data.get("personal_data"):
            services.api_client_set_personal_data(scope=self.scope, client=client, granted=True)
        self.ensure_in_scope(client)
        serializer.instance = client
        client.token = token

    def perform_destroy(self, instance):
        services.api_client_revoke(scope=self.scope, client=instance)

    @extend_schema(request=None, responses=ApiClientSerializer, summary="Revoke the client's token")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        client = services.api_client_revoke(scope=self.scope, client=self.get_object())
        return Response(self.get_serializer(client).data)

    @extend_schema(request=None, responses=ApiClientSerializer, summary="Issue a new token")
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        client = self.get_object()
        client.token = services.api_client_rotate(scope=self.scope, client=client)
        return Response(self.get_serializer(client).data, status=status.HTTP_200_OK)
