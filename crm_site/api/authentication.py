"""Bearer tokens for staff users and API clients."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from dealers.models import CLIENT_TOKEN_PREFIX, USER_TOKEN_PREFIX, ApiClient, UserToken, hash_token

# Writing last_used_at on every request would turn every read into a write; once an hour is enough.
LAST_USED_RESOLUTION = timedelta(hours=1)


class ApiClientUser:
    """The request.user of a call made with an API client's token: authenticated, but no staff user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    pk = None
    id = None

    def __init__(self, client: ApiClient):
        self.client = client
        self.tenant_id = client.tenant_id
        self.username = f"api-client:{client.pk}"

    def __str__(self) -> str:
        return self.client.name


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate `Authorization: Bearer <token>` for users (crmu_) and API clients (crmc_)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: expected 'Bearer <token>'."))
        try:
            token = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        now = timezone.now()
        if token.startswith(USER_TOKEN_PREFIX):
            return self._user_token(token, now)
        if token.startswith(CLIENT_TOKEN_PREFIX):
            return self._client_token(token, now)
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _user_token(self, token: str, now):
        # A hash is unique: no ORDER BY needed (first() would add one).
        row = next(iter(
            UserToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=now)[:1]
        ), None)
        if row is None or not row.user.is_active or not row.user.tenant_id:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            UserToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user, row

    def _client_token(self, token: str, now):
        client = next(iter(
            ApiClient.objects.select_related("tenant")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, tenant__is_active=True)[:1]
        ), None)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return ApiClientUser(client), client

    def authenticate_header(self, request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Document bearer tokens in the OpenAPI schema."""

    target_class = "crm_site.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Token from POST /api/v1/auth/token/ or an API client."}
