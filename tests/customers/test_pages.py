"""Customer search and the customer 360: access by role and scope, search keys, walk-ins, reveal, do-not-call, consent."""

from __future__ import annotations

import pytest
from django.test import Client

from crm_site.models import AuditEvent
from customers.models import ConsentRecord, DoNotCallChange
from tests.customers.factories import CustomerFactory
from tests.helpers import DEALER_STAFF, EVERY_ROLE, HQ, browser, count_queries, htmx
from tests.vehicles.factories import ServiceVisitFactory, VehicleFactory


@pytest.fixture
def people(world):
    """张伟 at dealer A1 with a car, 李娜 at dealer A2 with a car, 王芳 in tenant B."""
    a1, a2, b1 = world.dealers["A1"], world.dealers["A2"], world.dealers["B1"]
    zhang = CustomerFactory(dealer=a1, name="张伟", mobile="+8613800138001", city="北京")
    li = CustomerFactory(dealer=a2, name="李娜", mobile="+8613900139002", city="上海")
    wang = CustomerFactory(dealer=b1, name="王芳", mobile="+8613700137003")
    return {
        "zhang": zhang, "li": li, "wang": wang,
        "zhang_car": VehicleFactory(dealer=a1, owner=zhang, plate="京A12345"),
        "li_car": VehicleFactory(dealer=a2, owner=li, plate="沪B67890"),
    }


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/customers/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_every_role_opens_the_search(world, name):
    assert browser(world, name).get("/customers/?q=张").status_code == 200


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_the_360_answers_by_scope(world, people, name):
    client = browser(world, name)
    assert client.get(f"/customers/{people['zhang'].pk}/").status_code == 200
    expected_a2 = 200 if name in HQ else 404
    assert client.get(f"/customers/{people['li'].pk}/").status_code == expected_a2
    assert client.get(f"/customers/{people['wang'].pk}/").status_code == 404


def test_search_by_name_finds_only_customers_in_scope(world, people):
    content = browser(world, "sales_consultant").get("/customers/?q=张").content.decode()
    assert "张伟" in content and "李娜" not in content
    admin = browser(world, "oem_admin")
    assert "李娜" in admin.get("/customers/?q=李").content.decode()
    assert f"/customers/{people['wang'].pk}/" not in admin.get("/customers/?q=王芳").content.decode()


@pytest.mark.parametrize("query", ["13800138001", "138 0013 8001", "+86 138-0013-8001", "京A12345", "京a·12345"])
def test_search_by_mobile_and_plate_is_exact_after_normalising(world, people, query):
    content = browser(world, "service_advisor").get("/customers/", {"q": query}).content.decode()
    assert f"/customers/{people['zhang'].pk}/" in content


def test_search_by_vin(world, people):
    vin = people["zhang_car"].vin
    content = browser(world, "service_advisor").get("/customers/", {"q": vin.lower()}).content.decode()
    assert f"/customers/{people['zhang'].pk}/" in content


def test_a_mistyped_vin_or_mobile_says_what_is_wrong(world, people):
    client = browser(world, "service_advisor")
    vin = people["zhang_car"].vin
    wrong = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
    assert "errors" in client.get("/customers/", {"q": wrong}).content.decode()
    assert "errors" in client.get("/customers/", {"q": "1380013"}).content.decode()


def test_walk_in_served_elsewhere_is_masked_with_actions_to_serve(world, people):
    li, car = people["li"], people["li_car"]
    client = browser(world, "service_advisor")
    content = client.get("/customers/", {"q": car.vin}).content.decode()
    assert "李*" in content and "139****9002" in content
    assert "李娜" not in content and "13900139002" not in content
    assert f"/customers/{li.pk}/" not in content, "the 360 of someone else's customer is not linked"
    assert f"/vehicles/visits/new/?q={car.vin}" in content
    by_mobile = browser(world, "sales_consultant").get("/customers/", {"q": "13900139002"}).content.decode()
    assert "李*" in by_mobile and "/vehicles/sales/new/?mobile=13900139002" in by_mobile


def test_no_walk_ins_for_names_nor_for_hq(world, people):
    assert "李*" not in browser(world, "service_advisor").get("/customers/?q=李娜").content.decode()
    content = browser(world, "oem_admin").get("/customers/", {"q": people["li_car"].vin}).content.decode()
    assert f"/customers/{people['li'].pk}/" in content and "李*" not in content


def test_another_tenants_vin_is_not_a_walk_in(world, people):
    other = VehicleFactory(dealer=world.dealers["B1"], owner=people["wang"])
    content = browser(world, "service_advisor").get("/customers/", {"q": other.vin}).content.decode()
    assert "王*" not in content and "137****7003" not in content


def test_mobiles_are_masked_for_hq_and_region_but_not_for_dealer_staff(world, people):
    assert "13800138001" in browser(world, "sales_consultant").get("/customers/?q=张").content.decode()
    for name in ("oem_admin", "oem_analyst", "region_manager"):
        content = browser(world, name).get("/customers/?q=张").content.decode()
        assert "138****8001" in content and "13800138001" not in content, name
        assert "13800138001" not in browser(world, name).get(f"/customers/{people['zhang'].pk}/").content.decode()


def test_reveal_shows_the_number_and_writes_an_audit_event(world, people):
    zhang = people["zhang"]
    zhang.set_id_number("11010519491231002X")
    zhang.save()
    admin = browser(world, "oem_admin")
    page = admin.get(f"/customers/{zhang.pk}/").content.decode()
    assert "110105********002X" in page and "11010519491231002X" not in page
    response = htmx(admin, "post", f"/customers/{zhang.pk}/reveal/mobile/")
    assert response.status_code == 200 and "13800138001" in response.content.decode()
    response = htmx(admin, "post", f"/customers/{zhang.pk}/reveal/id_number/")
    assert "11010519491231002X" in response.content.decode()
    actions = set(AuditEvent.objects.filter(object_id=str(zhang.pk)).values_list("action", flat=True))
    assert {"customer.reveal.mobile", "customer.reveal.id_number"} <= actions
    assert admin.get(f"/customers/{zhang.pk}/reveal/mobile/").status_code == 405
    assert admin.post(f"/customers/{zhang.pk}/reveal/notes/").status_code == 404


def test_analysts_may_not_reveal_and_nobody_reveals_out_of_scope(world, people):
    assert browser(world, "oem_analyst").post(f"/customers/{people['zhang'].pk}/reveal/mobile/").status_code == 403
    assert browser(world, "dealer_manager").post(f"/customers/{people['li'].pk}/reveal/mobile/").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="customer.reveal").exists()


def test_do_not_call_needs_a_reason_and_keeps_history(world, people):
    zhang = people["zhang"]
    client = browser(world, "service_advisor")
    response = client.post(f"/customers/{zhang.pk}/do-not-call/", {"do_not_call": "True", "reason": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client.post(f"/customers/{zhang.pk}/do-not-call/", {"do_not_call": "True", "reason": "客户要求勿扰"})
    assert response.status_code == 302
    client.post(f"/customers/{zhang.pk}/do-not-call/", {"do_not_call": "False", "reason": "客户同意回访"})
    assert list(DoNotCallChange.objects.filter(customer=zhang).order_by("id").values_list("do_not_call", "reason")) == [
        (True, "客户要求勿扰"), (False, "客户同意回访")]
    page = client.get(f"/customers/{zhang.pk}/").content.decode()
    assert "客户要求勿扰" in page and "客户同意回访" in page


def test_readers_may_not_change_do_not_call(world, people):
    for name in ("oem_analyst", "region_manager"):
        response = browser(world, name).post(f"/customers/{people['zhang'].pk}/do-not-call/",
                                             {"do_not_call": "True", "reason": "x"})
        assert response.status_code == 403, name


def test_consent_is_recorded_and_shown(world, people):
    zhang = people["zhang"]
    client = browser(world, "cc_agent")
    response = client.post(f"/customers/{zhang.pk}/consent/", {
        "channel": "sms", "purpose": "marketing", "granted": "yes", "source": "call", "text_version": "v2026-01"})
    assert response.status_code == 302
    client.post(f"/customers/{zhang.pk}/consent/", {"channel": "sms", "purpose": "marketing", "granted": "no",
                                                   "source": "call"})
    records = ConsentRecord.objects.filter(customer=zhang).order_by("id")
    assert [r.granted for r in records] == [True, False] and records[0].text_version == "v2026-01"
    assert "v2026-01" in client.get(f"/customers/{zhang.pk}/").content.decode()


def test_consent_form_errors_are_shown_in_place(world, people):
    response = browser(world, "cc_agent").post(f"/customers/{people['zhang'].pk}/consent/",
                                               {"channel": "pigeon", "purpose": "marketing", "granted": "yes",
                                                "source": "call", "text_version": "v9"})
    content = response.content.decode()
    assert response.status_code == 200 and "errorlist" in content and 'value="v9"' in content


def test_edit_refuses_a_mobile_of_another_customer_and_keeps_the_input(world, people):
    zhang = people["zhang"]
    CustomerFactory(dealer=world.dealers["A2"], name="别人", mobile="+8613600136000")
    client = browser(world, "dealer_manager")
    assert client.get(f"/customers/{zhang.pk}/edit/").status_code == 200
    response = client.post(f"/customers/{zhang.pk}/edit/", {
        "kind": "person", "name": "张伟", "mobile": "13600136000", "city": "天津", "occupation": "工程师"})
    content = response.content.decode()
    assert response.status_code == 200 and "errorlist" in content
    assert 'value="13600136000"' in content and 'value="工程师"' in content
    zhang.refresh_from_db()
    assert zhang.mobile == "+8613800138001" and zhang.city == "北京"


def test_edit_saves_and_logs(world, people):
    zhang = people["zhang"]
    response = browser(world, "sales_consultant").post(f"/customers/{zhang.pk}/edit/", {
        "kind": "person", "name": "张 伟", "mobile": "138 0013 8001", "city": "天津", "birth_date": "1985-03-02"})
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert (zhang.name, zhang.city, str(zhang.birth_date)) == ("张 伟", "天津", "1985-03-02")
    assert AuditEvent.objects.filter(action="customer.update", object_id=str(zhang.pk)).exists()


@pytest.mark.parametrize("name", ["oem_analyst", "region_manager"])
def test_readers_may_not_edit(world, people, name):
    assert browser(world, name).get(f"/customers/{people['zhang'].pk}/edit/").status_code == 403


def test_edit_of_another_dealers_customer_answers_404(world, people):
    assert browser(world, "dealer_manager").post(f"/customers/{people['li'].pk}/edit/", {"name": "x"}).status_code == 404


def test_timeline_shows_visits_in_time_order(world, people):
    from datetime import timedelta

    from django.utils import timezone

    zhang, car = people["zhang"], people["zhang_car"]
    now = timezone.now()
    old = ServiceVisitFactory(dealer=world.dealers["A1"], vehicle=car, kind="first_maintenance",
                              opened_at=now - timedelta(days=300))
    new = ServiceVisitFactory(dealer=world.dealers["A1"], vehicle=car, kind="repair", opened_at=now - timedelta(days=3))
    content = browser(world, "service_advisor").get(f"/customers/{zhang.pk}/").content.decode()

    def shown(visit):
        return timezone.localtime(visit.opened_at).strftime("%Y-%m-%d %H:%M")

    assert content.index(shown(new)) < content.index(shown(old)), "newest first"
    assert content.count('class="tl-item tl-service_visit"') == 2


def test_picker_lists_only_customers_in_scope(world, people):
    client = browser(world, "sales_consultant")
    content = htmx(client, "get", "/customers/pick/", {"field": "customer", "customer_q": "13900139002"}).content.decode()
    assert "李娜" not in content
    content = htmx(client, "get", "/customers/pick/", {"field": "customer", "customer_q": "张伟"}).content.decode()
    assert "张伟" in content and f'value="{people["zhang"].pk}"' in content


@pytest.mark.parametrize("name", ["service_advisor", "oem_admin"])
def test_search_uses_a_constant_number_of_queries(world, name):
    client = browser(world, name)
    CustomerFactory(dealer=world.dealers["A1"], name="陈一")
    url = "/customers/?q=陈"
    client.get(url)
    few = count_queries(client, url)
    for n in range(30):
        customer = CustomerFactory(dealer=world.dealers["A1"], name=f"陈{n}号")
        VehicleFactory(dealer=world.dealers["A1"], owner=customer)
    # session, user, count, page rows, their vehicles, their dealer links
    assert count_queries(client, url) == few <= 8  # incl. entering/leaving the RLS role


def test_search_by_mobile_uses_a_constant_number_of_queries_with_walk_ins(world, people):
    client = browser(world, "service_advisor")
    url = "/customers/?q=13900139002"
    # session, user, count, page rows (none: no prefetch), walk-in look-up
    assert count_queries(client, url) <= 7  # incl. entering/leaving the RLS role


@pytest.mark.parametrize("name", DEALER_STAFF)
def test_dealer_staff_do_not_see_other_dealers_links(world, people, name):
    content = browser(world, name).get(f"/customers/{people['zhang'].pk}/").content.decode()
    assert world.dealers["A2"].name not in content
