"""Row-level security: a query that forgot the scope still sees only its tenant's rows."""

from __future__ import annotations

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
