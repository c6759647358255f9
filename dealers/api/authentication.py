"""Bearer tokens for staff users and API clients (named in settings as the API's authentication class)."""

from __future__ import annotations

from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from crm_site import rls

from ..access import PERSONAL_DATA_GRANT_ATTR
from ..models import CLIENT_TOKEN_PREFIX, USER_TOKEN_PREFIX, ApiClient, User, UserToken, hash_token


class TokenLookup:
    """Finds a token (and its user) by hash in one plain statement that also enters its tenant's row-level security.

    Every API call starts here: building the query with the ORM cost more than running it, and entering the
    tenant (crm_site.rls) afterwards would cost another round trip. The statement names every column of each
    model, so the instances are whole; none of these fields converts its database value (checked by a test).
    """

    def __init__(self, models: tuple, joins_and_conditions: str, tenant_column: str, extras: dict | None = None):
        self.models = models
        self.rest = joins_and_conditions
        self.tenant_column = tenant_column
        # attribute → SQL expression set on the last instance (a value read along, such as the role's grant).
        self.extras = extras or {}

    @cached_property
    def select(self) -> str:
        return ", ".join([*(f'{alias}."{field.column}"' for alias, model in zip("tu", self.models, strict=False)
                            for field in model._meta.concrete_fields), *self.extras.values()])

    def find(self, *params) -> list | None:
        """The instances of the one matching row, or None."""
        entering, entering_params = rls.entering(self.tenant_column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.select}{entering} {self.rest}", [*entering_params, *params])
            row = cursor.fetchone()
        if row is None:
            return None
        instances, offset = [], 0
        for model in self.models:
            fields = model._meta.concrete_fields
            values = row[offset:offset + len(fields)]
            instances.append(model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields], values))
            offset += len(fields)
        for attribute, value in zip(self.extras, row[offset:offset + len(self.extras)], strict=True):
            setattr(instances[-1], attribute, value)
        if entering:
            rls.entered(instances[-1].tenant_id)
        return instances


CLIENT_TOKENS = TokenLookup(
    (ApiClient,),
    "FROM dealers_apiclient t JOIN dealers_tenant ON dealers_tenant.id = t.tenant_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND dealers_tenant.is_active",
    "t.tenant_id",
)
USER_TOKENS = TokenLookup(
    (UserToken, User),
    "FROM dealers_usertoken t JOIN dealers_user u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active AND u.tenant_id IS NOT NULL",
    "u.tenant_id",
    # The tenant's personal-data grant for the user's role (NULL: the default), read in the same statement.
    {PERSONAL_DATA_GRANT_ATTR: "(SELECT p.full_mobiles FROM dealers_rolepolicy p "
                               "WHERE p.tenant_id = u.tenant_id AND p.role = u.role)"},
)

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
        self.throttle_ident = f"client:{client.pk}"

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
        found = USER_TOKENS.find(hash_token(token), now)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        row, user = found
        row.user = user
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            UserToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return user, row

    def _client_token(self, token: str, now):
        found = CLIENT_TOKENS.find(hash_token(token))
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        client = found[0]
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return ApiClientUser(client), client

    def authenticate_header(self, request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Document bearer tokens in the OpenAPI schema."""

    target_class = "dealers.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Token from POST /api/v1/auth/token/ or an API client."}
