"""Erasing a person reaches their complaints: event notes cleared, files deleted, the complaint counted still."""

import pytest

from callcenter.complaints.services import complaint_note
from callcenter.models import Complaint, ComplaintAttachment, ComplaintEvent
from crm_site.scope import Scope
from customers.data_subject import customer_erase, customer_export

from .factories import open_complaint

pytestmark = pytest.mark.django_db


def test_erase_clears_event_notes_and_files_and_keeps_the_complaint(world):
    dealer = world.dealers["A1"]
    scope = Scope.system(dealer.tenant_id)
    complaint = open_complaint(dealer, description="住在朝阳区的王先生投诉")
    complaint_note(scope=scope, complaint=complaint, text="客户说手机号换成 139…")
    ComplaintAttachment.objects.create(tenant_id=dealer.tenant_id, dealer=dealer, complaint=complaint,
                                       name="photo.png", content_type="image/png", size=3, data=b"png")
    exported = customer_export(scope=scope, customer=complaint.customer)["data"]
    assert any("139" in row["text"] for row in exported["complaint_events"])
    assert exported["complaint_attachments"][0]["name"] == "photo.png"
    request = customer_erase(scope=scope, customer=complaint.customer, reason="客户来电要求")
    assert request.detail["cleared"]["complaint_attachments"] == 1
    assert not ComplaintEvent.objects.filter(complaint=complaint).exclude(text="").exists()
    assert not ComplaintAttachment.objects.filter(complaint=complaint).exists()
    complaint.refresh_from_db()
    assert complaint.description == "" and Complaint.objects.filter(pk=complaint.pk).exists()
