"""The scope mechanism: resolution per role, fail-closed querysets, and scoped Celery tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm_site.scope import Scope, ScopeError
from dealers.models import Dealer, UserToken
from dealers.principals import scope_for_user
from dealers.tasks import tokens_purge_expired, tokens_purge_expired_all_tenants


def test_queryset_without_scope_is_empty(world):
    assert Dealer.objects.scoped(None).count() == 0


@pytest.mark.parametrize(
    ("principal_name", "dealers"),
    [("oem_admin", None), ("cc_agent", None), ("region_manager", {"A1"}), ("service_advisor", {"A1"})],
)
def test_scope_resolves_visible_dealers_per_role(world, principal_name, dealers):
    scope = scope_for_user(world.principals[principal_name].user)
    expected = None if dealers is None else frozenset(world.dealers[k].pk for k in dealers)
    assert scope.dealer_ids == expected
    assert scope.tenant_id == world.tenants["A"].pk


def test_user_outside_any_tenant_has_no_scope(db):
    from dealers.models import User

    root = User.objects.create_superuser("root", "root@example.com", "x")
    assert scope_for_user(root) is None


def test_scope_survives_the_trip_to_a_task():
    scope = Scope(tenant_id=7, role="dealer_manager", dealer_ids=frozenset({3, 4}), user_id=9)
    assert Scope.from_task_args(scope.as_task_args()) == scope


@pytest.mark.parametrize("bad", [None, {}, {"tenant_id": 1}, {"role": "x"}, "tenant"])
def test_task_refuses_to_run_without_a_scope(db, bad):
    with pytest.raises(ScopeError):
        tokens_purge_expired.delay(scope=bad)
    with pytest.raises(ScopeError):
        tokens_purge_expired(scope=bad)


def test_scoped_task_touches_only_its_tenant(world):
    old = timezone.now() - timedelta(days=3)
    UserToken.objects.update(expires_at=old)
    tenant_a = world.tenants["A"].pk
    from dealers.services import user_token_issue
    from tests.dealers.factories import UserFactory

    outsider = UserFactory(dealer=world.dealers["B1"], tenant=world.tenants["B"])
    _token, row = user_token_issue(user=outsider)
    UserToken.objects.filter(pk=row.pk).update(expires_at=old)
    tokens_purge_expired.delay(scope=Scope.system(tenant_a))
    assert not UserToken.objects.filter(user__tenant_id=tenant_a).exists()
    assert UserToken.objects.filter(pk=row.pk).exists()
    assert tokens_purge_expired_all_tenants.delay().get() == 2
    assert not UserToken.objects.exists()
