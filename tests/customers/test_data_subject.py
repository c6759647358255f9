"""Data-subject rights (PIPL): export of everything held through every participant, erasure keeping aggregates,
the tombstone that blocks re-creation until consent is given again, and who may do it."""

from __future__ import annotations

import pytest

from callcenter.models import Call
from crm_site.models.audit import AuditEvent
from customers.bulk import customers_bulk_upsert
from customers.models import ContactPoint, Customer, DataSubjectRequest
from customers.services import customer_reveal
from dealers.principals import scope_for_user
from tests.customers.factories import CustomerFactory
from tests.fake_app.models import FakeNote
from tests.helpers import EVERY_ROLE, browser
from tests.vehicles.factories import ServiceVisitFactory, VehicleFactory


@pytest.fixture
def person(world):
    a1 = world.dealers["A1"]
    customer = CustomerFactory(dealer=a1, name="王小明", mobile="+8613912345678", address="北京市朝阳区1号",
                               notes="喜欢周末到店")
    ContactPoint.objects.create(tenant=a1.tenant, customer=customer, kind="wechat", value="wxid_wang")
    vehicle = VehicleFactory(dealer=a1, owner=customer)
    visit = ServiceVisitFactory(dealer=a1, vehicle=vehicle, customer=customer, amount=880)
    note = FakeNote.objects.create(tenant=a1.tenant, dealer=a1, customer=customer, text="私人备注")
    call = Call.objects.create(tenant=a1.tenant, dealer=a1, customer=customer, direction="inbound",
                               started_at="2026-03-02T10:00:00+08:00", notes="客户说住在朝阳区")
    return customer, visit, note, call


def test_the_export_holds_every_participants_rows(world, api, person):
    customer, visit, note, call = person
    customer_reveal(scope=scope_for_user(world.principals["cc_agent"].user), customer=customer, field="mobile")
    response = api("oem_admin").get(f"/api/v1/customers/{customer.pk}/data-export/")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["customer"]["mobile"] == "+8613912345678" and data["customer"]["address"] == "北京市朝阳区1号"
    assert [row["id"] for row in data["fake_notes"]] == [note.pk]  # a participant the core does not know
    assert [row["id"] for row in data["service_visits"]] == [visit.pk]
    assert [row["id"] for row in data["calls"]] == [call.pk]
    assert data["contact_points"][0]["value"] == "wxid_wang"
    assert [row["action"] for row in data["access_log"]] == ["customer.reveal.mobile"]  # who saw the person
    assert DataSubjectRequest.objects.get(customer=customer).kind == "export"
    assert AuditEvent.objects.filter(action="customer.data_export", object_id=str(customer.pk)).exists()
    page = browser(world, "oem_admin").get(f"/customers/{customer.pk}/data/", {"view": "export"})
    assert "私人备注" in page.content.decode()
    download = browser(world, "oem_admin").get(f"/customers/{customer.pk}/data/export.json")
    assert download["Content-Disposition"].startswith("attachment") and "王小明" in download.content.decode()


def test_erase_anonymises_the_person_and_keeps_the_aggregates(world, api, person):
    customer, visit, note, call = person
    url = f"/api/v1/customers/{customer.pk}/erase/"
    wrong = api("oem_admin").post(url, {"reason": "客户来电要求 2026-03-02", "confirm_name": "别人"}, format="json")
    assert wrong.status_code == 400 and "confirm_name" in wrong.json()
    done = api("oem_admin").post(url, {"reason": "客户来电要求 2026-03-02", "confirm_name": "王小明"}, format="json")
    assert done.status_code == 200, done.content
    customer.refresh_from_db()
    assert customer.erased_at and customer.do_not_call and customer.mobile == "" and customer.address == ""
    assert customer.notes == "" and "王小明" not in customer.name
    assert not ContactPoint.objects.filter(customer=customer).exists()
    note.refresh_from_db()
    call.refresh_from_db()
    assert note.text == "" and call.notes == ""
    visit.refresh_from_db()
    assert visit.customer_id == customer.pk and visit.amount == 880  # the figures keep their rows
    assert DataSubjectRequest.objects.filter(customer=customer, kind="erasure").exists()
    assert api("oem_admin").post(url, {"reason": "again", "confirm_name": customer.name},
                                 format="json").status_code == 400


def test_an_erased_mobile_is_not_created_again_until_consent_is_given_again(world, api, person):
    customer, *_rest = person
    api("oem_admin").post(f"/api/v1/customers/{customer.pk}/erase/",
                          {"reason": "客户要求", "confirm_name": "王小明"}, format="json")
    body = {"name": "王小明", "mobile": "13912345678", "dealer": world.dealers["A1"].pk}
    refused = api("oem_admin").post("/api/v1/customers/", body, format="json")
    assert refused.status_code == 400 and "mobile" in refused.json()
    scope = world.principals["dealer_manager"].scope
    [result] = customers_bulk_upsert(scope=scope, dealer_id=world.dealers["A1"].pk,
                                     items=[{"name": "王小明", "mobile": "13912345678"}])
    assert result.error is not None and "mobile" in result.error.message_dict
    again = api("oem_admin").post("/api/v1/customers/", body | {"consent_again": True}, format="json")
    assert again.status_code == 201, again.content
    assert Customer.objects.filter(mobile="+8613912345678", erased_at__isnull=True).count() == 1


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_only_hq_admins_export_or_erase(world, api, person, name):
    customer, *_rest = person
    allowed = name == "oem_admin"
    page = browser(world, name).get(f"/customers/{customer.pk}/data/")
    assert page.status_code == (200 if allowed else 403)
    response = api(name).get(f"/api/v1/customers/{customer.pk}/data-export/")
    assert response.status_code == (200 if allowed else 403)
    b1 = world.dealers["B1"]
    foreign = CustomerFactory(dealer=b1)
    assert api(name).post(f"/api/v1/customers/{foreign.pk}/erase/", {}, format="json").status_code == 404
