"""Mobiles in full per role, as the tenant granted (dealers.access.reads_full_mobiles): the customer page, the API
and exports mask them for a role without the grant; the logged reveal keeps working; the grant costs no query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm_site.models import AuditEvent
from dealers.choices import Role
from dealers.services import role_policy_update
from tests.customers.factories import CustomerFactory
from tests.helpers import browser, count_queries, htmx

FULL, MASKED = "13800138001", "138****8001"


@pytest.fixture
def zhang(world):
    return CustomerFactory(dealer=world.dealers["A1"], name="张伟", mobile="+8613800138001")


def decide(world, role: str, full: bool) -> None:
    role_policy_update(scope=world.principals["oem_admin"].scope, role=role, full_mobiles=full,
                       second_factor_required=False)


def shown_on_page(world, name: str, customer) -> str:
    content = browser(world, name).get(f"/customers/{customer.pk}/").content.decode()
    assert FULL in content or MASKED in content
    return FULL if FULL in content else MASKED


def shown_in_api(world, name: str, customer) -> str:
    return world.principals[name].api().get(f"/api/v1/customers/{customer.pk}/").json()["mobile"]


@pytest.mark.parametrize(("name", "full"), [("oem_admin", False), ("oem_analyst", False), ("region_manager", False),
                                            ("cc_supervisor", True), ("cc_agent", True), ("dealer_manager", True),
                                            ("sales_consultant", True), ("service_advisor", True)])
def test_the_defaults_keep_what_each_role_saw(world, zhang, name, full):
    assert shown_on_page(world, name, zhang) == (FULL if full else MASKED)
    assert shown_in_api(world, name, zhang) == ("+8613800138001" if full else MASKED)


def test_an_analyst_granted_full_mobiles_reads_them_on_the_page_and_in_the_api(world, zhang):
    decide(world, Role.OEM_ANALYST, True)
    assert shown_on_page(world, "oem_analyst", zhang) == FULL
    assert shown_in_api(world, "oem_analyst", zhang) == "+8613800138001"
    assert AuditEvent.objects.filter(action="role_policy.personal_data", detail__role="oem_analyst",
                                     detail__new=True).exists()


def test_an_agent_whose_grant_is_withdrawn_sees_masked_values_and_may_still_reveal_one_logged(world, zhang):
    decide(world, Role.CC_AGENT, False)
    assert shown_on_page(world, "cc_agent", zhang) == MASKED
    assert shown_in_api(world, "cc_agent", zhang) == MASKED
    listing = world.principals["cc_agent"].api().get("/api/v1/customers/").json()["results"]
    assert [row["mobile"] for row in listing] == [MASKED]
    revealed = htmx(browser(world, "cc_agent"), "post", f"/customers/{zhang.pk}/reveal/mobile/")
    assert revealed.status_code == 200 and FULL in revealed.content.decode()
    assert AuditEvent.objects.filter(action="customer.reveal.mobile", object_id=str(zhang.pk)).exists()
    # Another role keeps its own grant.
    assert shown_on_page(world, "cc_supervisor", zhang) == FULL


def test_dealer_staff_without_the_grant_export_masked_mobiles(world, zhang):
    decide(world, Role.DEALER_MANAGER, False)
    manager = browser(world, "dealer_manager")
    export = b"".join(manager.get("/imports/export/customers.csv").streaming_content).decode("utf-8-sig")
    assert MASKED in export and FULL not in export
    assert shown_on_page(world, "sales_consultant", zhang) == FULL  # the store's other roles are unchanged


def test_the_grant_comes_with_the_user_so_pages_and_lists_take_no_extra_query(world, zhang):
    url = f"/customers/{zhang.pk}/"
    client = browser(world, "cc_agent")
    client.get(url)
    before = count_queries(client, url)
    decide(world, Role.CC_AGENT, False)
    assert count_queries(client, url) == before
    for principal, request in ((client, lambda c: c.get(url)),
                               (world.principals["cc_agent"].api(), lambda c: c.get("/api/v1/customers/"))):
        with CaptureQueriesContext(connection) as ctx:
            request(principal)
        grant_reads = [q["sql"] for q in ctx.captured_queries if "dealers_rolepolicy" in q["sql"]]
        # Read once, inside the statement that loads the user (the session's user or the token's).
        assert len(grant_reads) == 1 and "dealers_user" in grant_reads[0]
