"""Change history of customers and consents: every door records who and through what, the panel masks mobiles as
the 360 does, another tenant's history is never seen, and an erasure leaves no old personal data in the history."""

from __future__ import annotations

import pytest
from django.utils import translation

from customers.models import ConsentRecordHistory, Customer, CustomerHistory
from tests.customers.factories import CustomerFactory
from tests.helpers import browser, htmx
from tests.imports.conftest import csv_bytes, upload  # noqa: F401  (the upload fixture)


def last(customer) -> CustomerHistory:
    return CustomerHistory.objects.filter(pgh_obj_id=customer.pk).order_by("-pgh_id").first()


@pytest.fixture
def wang(world):
    return CustomerFactory(dealer=world.dealers["A1"], name="王小明", mobile="+8613912345678", city="北京")


def test_a_change_through_the_api_names_the_token_user_and_the_api(world, api, wang):
    response = api("dealer_manager").patch(f"/api/v1/customers/{wang.pk}/", {"city": "天津"}, format="json")
    assert response.status_code == 200, response.content
    event = last(wang)
    assert (event.pgh_label, event.city) == ("update", "天津")
    assert event.tenant_id == wang.tenant_id
    context = event.pgh_context
    assert context["channel"] == "api" and context["path"] == f"/api/v1/customers/{wang.pk}/"
    assert context["user"] == world.principals["dealer_manager"].user.pk
    assert context["dealer"] == world.dealers["A1"].pk


def test_an_api_client_is_named_as_itself(world, api, wang):
    response = api("client_dealer_write").patch(f"/api/v1/customers/{wang.pk}/", {"city": "天津"}, format="json")
    assert response.status_code == 200, response.content
    context = last(wang).pgh_context
    assert context["api_client"] == world.principals["client_dealer_write"].client.pk and context["user"] is None
    assert context["actor"] == "client_dealer_write"


def test_a_form_post_names_the_user_and_the_page(world, wang):
    response = browser(world, "sales_consultant").post(f"/customers/{wang.pk}/edit/", {
        "kind": "person", "name": "王小明", "mobile": "13912345678", "city": "上海"})
    assert response.status_code == 302
    context = last(wang).pgh_context
    assert context["channel"] == "web" and context["path"] == f"/customers/{wang.pk}/edit/"
    assert context["user"] == world.principals["sales_consultant"].user.pk


def test_a_save_without_a_change_records_nothing(world, wang):
    before = CustomerHistory.objects.filter(pgh_obj_id=wang.pk).count()
    Customer.objects.get(pk=wang.pk).save()  # updated_at moves; it is not tracked
    assert CustomerHistory.objects.filter(pgh_obj_id=wang.pk).count() == before


def test_a_batch_is_recorded_as_bulk(world, api, wang):
    response = api("client_dealer_write").post("/api/v1/customers/bulk/", {"items": [
        {"name": "王小明", "mobile": "13912345678", "city": "广州"},
        {"name": "新客户", "mobile": "13700137000"},
    ]}, format="json")
    assert response.status_code == 200, response.content
    assert last(wang).city == "广州" and last(wang).pgh_context["channel"] == "bulk"
    created = Customer.objects.get(mobile="+8613700137000")
    assert last(created).pgh_label == "insert" and last(created).pgh_context["channel"] == "bulk"


def test_an_import_is_recorded_with_its_job(world, upload, wang):  # noqa: F811 (fixture)
    rows = [["姓名", "手机", "城市"], ["王小明", "13912345678", "深圳"]]
    _response, job = upload(browser(world, "dealer_manager"), "customers", csv_bytes(rows))
    job.refresh_from_db()
    assert job.status == "done"
    context = last(wang).pgh_context
    assert (last(wang).city, context["channel"], context["import_job"]) == ("深圳", "import", job.pk)
    assert context["user"] == world.principals["dealer_manager"].user.pk and context["task"] == "import_run"


def test_a_consent_shows_in_the_customers_panel(world, api, wang):
    response = api("cc_agent").post(f"/api/v1/customers/{wang.pk}/consents/", {
        "channel": "phone", "purpose": "marketing", "granted": True, "source": "call"}, format="json")
    assert response.status_code in (200, 201), response.content
    assert ConsentRecordHistory.objects.filter(customer_id=wang.pk, pgh_label="insert").exists()
    panel = htmx(browser(world, "oem_analyst"), "get", f"/history/customer/{wang.pk}/").content.decode()
    with translation.override("zh-hans"):  # the page's language (LANGUAGE_CODE)
        assert f"{translation.gettext('Consent')}: " in panel


def test_the_panel_masks_the_mobile_as_the_360_does(world, api, wang):
    api("dealer_manager").patch(f"/api/v1/customers/{wang.pk}/", {"mobile": "13812345679"}, format="json")
    analyst = htmx(browser(world, "oem_analyst"), "get", f"/history/customer/{wang.pk}/")
    text = analyst.content.decode()
    assert analyst.status_code == 200
    assert "139****5678" in text and "138****5679" in text and "13912345678" not in text
    staff = htmx(browser(world, "dealer_manager"), "get", f"/history/customer/{wang.pk}/").content.decode()
    assert "+8613912345678" in staff and str(world.principals["dealer_manager"].user) in staff


def test_the_panel_has_a_constant_number_of_queries(world, api, wang, django_assert_max_num_queries):
    client = browser(world, "oem_admin")
    for n in range(3):
        api("dealer_manager").patch(f"/api/v1/customers/{wang.pk}/", {"city": f"城{n}"}, format="json")
    with django_assert_max_num_queries(12) as few:
        htmx(client, "get", f"/history/customer/{wang.pk}/")
    first = len(few)
    for n in range(30):
        api("dealer_manager").patch(f"/api/v1/customers/{wang.pk}/", {"city": f"市{n}"}, format="json")
    with django_assert_max_num_queries(first):
        page = htmx(client, "get", f"/history/customer/{wang.pk}/")
    assert "?limit=40" in page.content.decode()  # capped at 20 with "show more", never cut silently


def test_another_tenants_customer_history_answers_404(world, api):
    other = CustomerFactory(dealer=world.dealers["B1"])
    assert browser(world, "oem_admin").get(f"/history/customer/{other.pk}/").status_code == 404
    outside = CustomerFactory(dealer=world.dealers["A2"])
    assert browser(world, "dealer_manager").get(f"/history/customer/{outside.pk}/").status_code == 404


def test_the_page_embeds_the_panel(world, wang):
    content = browser(world, "dealer_manager").get(f"/customers/{wang.pk}/").content.decode()
    assert f'hx-get="/history/customer/{wang.pk}/"' in content


def test_erase_leaves_no_old_personal_data_in_the_history(world, api, wang):
    api("dealer_manager").patch(f"/api/v1/customers/{wang.pk}/", {"address": "北京市朝阳区1号",
                                                                "notes": "喜欢周末到店"}, format="json")
    done = api("oem_admin").post(f"/api/v1/customers/{wang.pk}/erase/", {
        "reason": "客户来电要求", "confirm_name": "王小明"}, format="json")
    assert done.status_code == 200, done.content
    for event in CustomerHistory.objects.filter(pgh_obj_id=wang.pk):
        assert "王小明" not in event.name and event.mobile == "" and event.address == "" and event.notes == ""
        assert event.id_number_hash == "" and event.birth_date is None
    panel = htmx(browser(world, "oem_admin"), "get", f"/history/customer/{wang.pk}/").content.decode()
    assert "王小明" not in panel and "5678" not in panel and "朝阳区" not in panel


def test_the_export_holds_the_history(world, api, wang):
    api("dealer_manager").patch(f"/api/v1/customers/{wang.pk}/", {"city": "天津"}, format="json")
    data = api("oem_admin").get(f"/api/v1/customers/{wang.pk}/data-export/").json()["data"]
    changes = [row for row in data["change_history"] if row["table"] == "customers.Customer"]
    assert changes[-1]["data"]["city"] == "天津" and changes[-1]["context"]["channel"] == "api"
