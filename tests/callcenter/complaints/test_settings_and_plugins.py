"""HQ's complaint settings page, the tenant defaults, the merge participant and the customer 360 timeline source."""

from __future__ import annotations

from django.urls import reverse

from callcenter.complaints.plugin import create_tenant_complaint_defaults
from callcenter.models import Complaint, ComplaintCategory, ComplaintCommitment, ComplaintSettings
from crm_site.registry import registry
from crm_site.timeline import customer_timeline
from tests.customers.factories import CustomerFactory
from tests.dealers.factories import TenantFactory
from tests.helpers import browser

from .factories import open_complaint

URL = reverse("callcenter:complaint-settings")


def test_a_new_tenant_gets_the_categories_and_the_commitments(db):
    tenant = TenantFactory()
    create_tenant_complaint_defaults(tenant)
    create_tenant_complaint_defaults(tenant)  # twice changes nothing
    assert ComplaintCategory.objects.filter(tenant=tenant).count() == 8
    commitments = {c.severity: (c.first_contact_hours, c.resolution_hours)
                   for c in ComplaintCommitment.objects.filter(tenant=tenant)}
    assert commitments == {"critical": (24, 24), "high": (24, 72), "normal": (24, 120)}
    assert ComplaintSettings.objects.get(tenant=tenant).clock == "calendar"


def test_hq_edits_the_commitments_and_the_clock(world):
    admin = browser(world, "oem_admin")
    assert admin.get(URL).status_code == 200
    body = {"part": "commitments", "critical-first_contact_hours": 2, "critical-resolution_hours": 12,
            "high-first_contact_hours": 24, "high-resolution_hours": 72, "normal-first_contact_hours": 24,
            "normal-resolution_hours": 120}
    assert admin.post(URL, body).status_code == 302
    assert admin.post(URL, {**body, "normal-resolution_hours": 0}).status_code == 400
    assert admin.post(URL, {"part": "clock", "clock": "working", "reescalate_hours": 12}).status_code == 302
    assert admin.post(URL, {"part": "category", "code": "delivery", "name": "交车"}).status_code == 302
    assert admin.post(URL, {"part": "category", "code": "delivery", "name": "重复"}).status_code == 400
    complaint = open_complaint(world.dealers["A1"], severity="critical")
    assert (complaint.first_contact_due - complaint.opened_at).total_seconds() > 0
    assert ComplaintSettings.objects.get(tenant=world.tenants["A"]).reescalate_hours == 12
    for name in ("dealer_manager", "cc_supervisor", "region_manager"):
        assert browser(world, name).get(URL).status_code == 403


def test_a_merge_moves_the_complaints_and_the_timeline_shows_every_step(world):
    keep, gone = CustomerFactory(dealer=world.dealers["A1"]), CustomerFactory(dealer=world.dealers["A1"])
    complaint = open_complaint(world.dealers["A1"], customer=gone)
    participant = next(p for p in registry["merge_participants"] if p.key == "complaints")
    assert participant.run(keep, gone) == 1
    assert Complaint.objects.get(pk=complaint.pk).customer == keep
    events = [e for e in customer_timeline(world.principals["cc_agent"].scope, keep) if e.kind == "complaint"]
    assert len(events) == 1 and complaint.number in events[0].title
    other_store = world.principals["dealer_manager"].scope
    open_complaint(world.dealers["A2"], customer=keep)
    assert len([e for e in customer_timeline(other_store, keep) if e.kind == "complaint"]) == 1
