"""The change history in the core: every event table is a tenant table under row-level security, the application
role writes events through the triggers but cannot touch pghistory's shared context table, contexts nest and
restore, and the keeping period purges old events as of a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from crm_site import history, rls
from crm_site.models import DataRetention
from crm_site.purge import data_purge, months_before
from crm_site.registry import registry
from customers.models import Customer, CustomerHistory
from tests.customers.factories import CustomerFactory

DAY = dt.date(2026, 12, 1)


def test_every_event_table_stores_its_tenant_and_has_the_policy(db):
    tables = {model._meta.db_table for model in history.event_models()}
    assert {s.event_model._meta.db_table for s in registry["history_subjects"].values()} <= tables
    assert tables <= set(rls.tenant_tables())
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [rls.POLICY])
        assert tables <= {row[0] for row in cursor.fetchall()}


def test_the_application_role_writes_events_only_for_its_tenant(world):
    customer = CustomerFactory(dealer=world.dealers["A1"])
    foreign = CustomerFactory(dealer=world.dealers["B1"])
    assert rls.enter(world.tenants["A"].pk)
    try:
        with history.channel(channel="test"):
            Customer.objects.filter(pk=customer.pk).update(city="杭州")  # the trigger runs as crm_app
        assert set(CustomerHistory.objects.values_list("tenant_id", flat=True)) == {world.tenants["A"].pk}
        assert not CustomerHistory.objects.filter(pgh_obj_id=foreign.pk).exists()
        event = CustomerHistory.objects.filter(pgh_obj_id=customer.pk).latest("pgh_id")
        assert (event.city, event.pgh_context["channel"]) == ("杭州", "test")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pghistory_context")
    finally:
        rls.leave()


def test_an_inner_channel_is_restored_when_it_ends(db):
    with history.channel(channel="web", path="/x/") as outer:
        with history.channel(channel="task", task="t"):
            assert outer.metadata == {"channel": "task", "path": "/x/", "task": "t"}
        assert outer.metadata == {"channel": "web", "path": "/x/"}


def test_events_older_than_the_period_are_purged_as_of_a_date(world, capsys):
    tenant = world.tenants["A"]
    customer = CustomerFactory(dealer=world.dealers["A1"])
    Customer.objects.filter(pk=customer.pk).update(city="南京")
    foreign = CustomerFactory(dealer=world.dealers["B1"])
    first, second = CustomerHistory.objects.filter(pgh_obj_id=customer.pk).order_by("pgh_id")
    CustomerHistory.objects.filter(pk=first.pk).update(pgh_created_at=months_before(DAY, 24) - dt.timedelta(days=1))
    CustomerHistory.objects.filter(pk=second.pk).update(pgh_created_at=months_before(DAY, 24) + dt.timedelta(days=1))
    CustomerHistory.objects.filter(pgh_obj_id=foreign.pk).update(pgh_created_at=months_before(DAY, 36))
    assert data_purge(tenant_id=tenant.pk, on=DAY)["change_history"] == 1
    assert list(CustomerHistory.objects.filter(pgh_obj_id=customer.pk).values_list("pk", flat=True)) == [second.pk]
    assert CustomerHistory.objects.filter(pgh_obj_id=foreign.pk).exists()  # another tenant's periods are its own
    DataRetention.objects.create(tenant=tenant, history_months=1)
    call_command("purge_expired_data", "--tenant", tenant.slug, "--date", DAY.isoformat())
    assert not CustomerHistory.objects.filter(pgh_obj_id=customer.pk).exists()
    assert "change_history" in capsys.readouterr().out


def test_hq_sets_the_history_period_in_the_browser(world):
    from tests.helpers import browser

    posted = browser(world, "oem_admin").post("/org/data-retention/", {
        "audit_months": "36", "call_notes_months": "24", "attachments_months": "36", "history_months": "12"})
    assert posted.status_code == 302
    assert DataRetention.objects.get(tenant=world.tenants["A"]).history_months == 12
