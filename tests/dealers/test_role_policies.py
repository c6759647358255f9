"""HQ's decisions per role (/org/roles/): mobiles in full and a required second factor, audited with who, when, old
and new; written out for every new tenant; kept inside the tenant."""

from __future__ import annotations

import pytest
from django.test import Client

from crm_site.models import AuditEvent
from dealers.access import FULL_MOBILES_BY_DEFAULT, reads_full_mobiles
from dealers.choices import Role
from dealers.models import RolePolicy
from dealers.services import tenant_create
from tests.dealers.factories import UserFactory
from tests.helpers import browser


def form_of(policies: dict[str, tuple[bool, bool]]) -> dict[str, str]:
    """The roles page's checkboxes as posted: only the ticked ones are sent."""
    data = {}
    for role, (full, required) in policies.items():
        if full:
            data[f"full_mobiles-{role}"] = "1"
        if required:
            data[f"second_factor-{role}"] = "1"
    return data


def defaults() -> dict[str, tuple[bool, bool]]:
    return {role: (role in FULL_MOBILES_BY_DEFAULT, False) for role in Role.values}


def test_the_page_shows_the_defaults_until_the_tenant_decides(world):
    page = browser(world, "oem_admin").get("/org/roles/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="full_mobiles-cc_agent" value="1" checked' in content
    assert 'name="full_mobiles-oem_analyst" value="1">' in content
    assert 'name="second_factor-cc_agent"' in content and 'name="second_factor-sales_consultant"' not in content


def test_granting_a_role_is_audited_with_who_when_old_and_new(world):
    admin = browser(world, "oem_admin")
    chosen = defaults() | {Role.OEM_ANALYST: (True, True), Role.CC_AGENT: (False, False)}
    assert admin.post("/org/roles/", form_of(chosen)).status_code == 302
    tenant = world.tenants["A"]
    analyst = RolePolicy.objects.get(tenant=tenant, role=Role.OEM_ANALYST)
    assert analyst.full_mobiles and analyst.second_factor_required
    assert not RolePolicy.objects.get(tenant=tenant, role=Role.CC_AGENT).full_mobiles
    events = {(e.action, e.detail["role"]): e for e in AuditEvent.objects.filter(action__startswith="role_policy.")}
    assert set(events) == {("role_policy.personal_data", "oem_analyst"), ("role_policy.second_factor", "oem_analyst"),
                           ("role_policy.personal_data", "cc_agent")}
    grant = events[("role_policy.personal_data", "oem_analyst")]
    assert grant.detail == {"role": "oem_analyst", "field": "full_mobiles", "old": False, "new": True}
    assert grant.actor_user_id == world.principals["oem_admin"].user.pk and grant.at is not None
    assert events[("role_policy.personal_data", "cc_agent")].detail["old"] is True
    # Saving the same choices again records nothing.
    admin.post("/org/roles/", form_of(chosen))
    assert AuditEvent.objects.filter(action__startswith="role_policy.").count() == 3
    # The grant reaches the roles' scopes at once.
    assert reads_full_mobiles(world.principals["oem_analyst"].scope)
    assert not reads_full_mobiles(world.principals["cc_agent"].scope)


def test_a_second_factor_cannot_be_required_for_a_role_that_is_not_offered_one(world):
    browser(world, "oem_admin").post("/org/roles/", form_of(defaults()) | {"second_factor-sales_consultant": "1"})
    assert not RolePolicy.objects.filter(role=Role.SALES_CONSULTANT, second_factor_required=True).exists()


def test_a_new_tenant_is_created_with_its_decision_per_role_written_out(db):
    tenant = tenant_create(name="新汽车", slug="new", admin_username="boss", admin_password="Correct-Horse-9")
    stored = dict(RolePolicy.objects.filter(tenant=tenant).values_list("role", "full_mobiles"))
    assert stored == {role: role in FULL_MOBILES_BY_DEFAULT for role in Role.values}
    assert stored[Role.SERVICE_ADVISOR] and stored[Role.CC_AGENT] and not stored[Role.OEM_ANALYST]
    assert not RolePolicy.objects.filter(tenant=tenant, second_factor_required=True).exists()


def test_an_admin_of_another_tenant_changes_only_their_own_tenant(world):
    other_admin = UserFactory(username="b-admin", role=Role.OEM_ADMIN, tenant=world.tenants["B"], dealer=None)
    client = Client()
    client.force_login(other_admin)
    assert client.post("/org/roles/", form_of(defaults() | {Role.OEM_ANALYST: (True, True)})).status_code == 302
    assert not RolePolicy.objects.filter(tenant=world.tenants["A"]).exists()
    assert RolePolicy.objects.get(tenant=world.tenants["B"], role=Role.OEM_ANALYST).full_mobiles
    assert not reads_full_mobiles(world.principals["oem_analyst"].scope)
    # Nor does the audit log of tenant A hold tenant B's decision.
    assert not AuditEvent.objects.filter(tenant=world.tenants["A"], action__startswith="role_policy.").exists()


@pytest.mark.parametrize("name", ["oem_analyst", "dealer_manager", "cc_supervisor"])
def test_the_roles_entry_is_in_hqs_menu_only(world, name):
    assert 'href="/org/roles/"' in browser(world, "oem_admin").get("/").content.decode()
    assert 'href="/org/roles/"' not in browser(world, name).get("/").content.decode()
