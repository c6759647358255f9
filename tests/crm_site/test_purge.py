"""Keeping periods: the nightly purge deletes old audit rows and attachments of closed complaints and blanks old call
notes, as of a date, per the tenant's settings; HQ sets the periods in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from callcenter.models import Call
from crm_site.models import AuditEvent, DataRetention
from crm_site.purge import data_purge, months_before
from tests.customers.factories import CustomerFactory
from tests.helpers import EVERY_ROLE, browser

DAY = dt.date(2026, 12, 1)


def old(months: int, plus_days: int = 0) -> dt.datetime:
    return months_before(DAY, months) - dt.timedelta(days=1) + dt.timedelta(days=plus_days)


def test_the_purge_keeps_what_is_inside_the_periods(world):
    tenant, a1 = world.tenants["A"], world.dealers["A1"]
    gone = AuditEvent.objects.create(tenant=tenant, action="x", object_type="t")
    kept = AuditEvent.objects.create(tenant=tenant, action="y", object_type="t")
    AuditEvent.objects.filter(pk=gone.pk).update(at=old(36))
    AuditEvent.objects.filter(pk=kept.pk).update(at=old(36, plus_days=2))
    other = AuditEvent.objects.create(tenant=world.tenants["B"], action="z", object_type="t")
    AuditEvent.objects.filter(pk=other.pk).update(at=old(36))
    customer = CustomerFactory(dealer=a1)
    talk = Call.objects.create(tenant=tenant, dealer=a1, customer=customer, direction="inbound",
                               started_at=old(24), notes="客户的住址")
    fresh = Call.objects.create(tenant=tenant, dealer=a1, customer=customer, direction="inbound",
                                started_at=timezone.now(), notes="刚才的电话")
    done = data_purge(tenant_id=tenant.pk, on=DAY)
    assert done["audit_log"] == 1 and done["call_notes"] == 1
    assert not AuditEvent.objects.filter(pk=gone.pk).exists() and AuditEvent.objects.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.filter(pk=other.pk).exists()  # another tenant's periods are its own
    talk.refresh_from_db()
    fresh.refresh_from_db()
    assert talk.notes == "" and fresh.notes == "刚才的电话"
    assert data_purge(tenant_id=tenant.pk, on=DAY)["call_notes"] == 0


def test_shorter_periods_set_by_hq_purge_more_and_the_command_takes_a_date(world, capsys):
    tenant = world.tenants["A"]
    DataRetention.objects.create(tenant=tenant, audit_months=1)
    row = AuditEvent.objects.create(tenant=tenant, action="x", object_type="t")
    AuditEvent.objects.filter(pk=row.pk).update(at=old(1))
    call_command("purge_expired_data", "--tenant", tenant.slug, "--date", DAY.isoformat())
    assert "audit_log: 1" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_hq_sets_the_periods(world, name):
    client = browser(world, name)
    response = client.get("/org/data-retention/")
    assert response.status_code == (200 if name in {"oem_admin", "oem_analyst"} else 403)
    posted = client.post("/org/data-retention/", {"audit_months": "12", "call_notes_months": "6",
                                                  "attachments_months": "12", "history_months": "24"})
    assert posted.status_code == (302 if name == "oem_admin" else 403)
    bad = client.post("/org/data-retention/", {"audit_months": "0", "call_notes_months": "6",
                                               "attachments_months": "12", "history_months": "24"})
    if name == "oem_admin":
        assert bad.status_code == 200 and 'value="0"' in bad.content.decode()
        assert DataRetention.objects.get(tenant=world.tenants["A"]).audit_months == 12
