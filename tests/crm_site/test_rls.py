"""Row-level security: a query that forgot the scope still sees only its tenant's rows."""

from __future__ import annotations

import pytest
from django.db import connection

from crm_site import rls
from dealers.models import Dealer, Region, User


def test_every_tenant_table_has_the_policy(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relrowsecurity")
        protected = {row[0] for row in cursor.fetchall()}
    assert set(rls.tenant_tables()) <= protected


def test_unscoped_queries_see_only_the_entered_tenant(world):
    tenant_a = world.tenants["A"].pk
    assert Dealer.objects.filter(tenant=world.tenants["B"]).exists()
    assert rls.enter(tenant_a)
    try:
        assert set(Dealer.objects.values_list("tenant_id", flat=True)) == {tenant_a}
        assert set(Region.objects.values_list("tenant_id", flat=True)) == {tenant_a}
        assert not User.objects.filter(tenant=world.tenants["B"]).exists()
    finally:
        rls.leave()
    assert Dealer.objects.filter(tenant=world.tenants["B"]).exists()


def test_a_request_leaves_the_connection_unrestricted(world):
    response = world.principals["dealer_manager"].api().get("/api/v1/dealers/")
    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user, current_setting('crm.tenant_id', true)")
        same_user, tenant = cursor.fetchone()
    assert same_user and not tenant


def test_token_authentication_enters_the_tokens_tenant(world, rf):
    from rest_framework.request import Request

    from dealers.api.authentication import BearerTokenAuthentication

    for name in ("client_dealer_write", "dealer_manager"):
        principal = world.principals[name]
        request = Request(rf.get("/api/v1/dealers/", HTTP_AUTHORIZATION=f"Bearer {principal.token}"))
        try:
            _user, auth = BearerTokenAuthentication().authenticate(request)
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user, current_setting('crm.tenant_id', true)")
                role, tenant = cursor.fetchone()
            assert (role, tenant) == (rls.app_role(), str(world.tenants["A"].pk))
            assert rls.restricted()
        finally:
            rls.leave()


def test_an_unknown_token_leaves_the_connection_as_it_was(world, rf):
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    from dealers.api.authentication import BearerTokenAuthentication

    request = Request(rf.get("/api/v1/dealers/", HTTP_AUTHORIZATION="Bearer crmc_unknown"))
    with pytest.raises(AuthenticationFailed):
        BearerTokenAuthentication().authenticate(request)
    assert not rls.restricted()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user, current_setting('crm.tenant_id', true)")
        same_user, tenant = cursor.fetchone()
    assert same_user and not tenant


def test_token_lookups_load_every_field_without_conversion():
    from dealers.api.authentication import CLIENT_TOKENS, USER_TOKENS

    # TokenLookup builds instances from raw values; a field that converts database values would need the ORM.
    for lookup in (CLIENT_TOKENS, USER_TOKENS):
        for model in lookup.models:
            assert not [f.name for f in model._meta.concrete_fields if hasattr(f, "from_db_value")]
