"""Customer services: one record per person, consent and do-not-call history, reveal, merge."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm_site.models import AuditEvent
from customers import services
from customers.choices import ConsentChannel, ConsentPurpose, LinkKind, RecordSource
from customers.models import Customer, CustomerDealer, DoNotCallChange
from vehicles.models import ServiceVisit
from vehicles.services import sale_record, service_visit_record


def scope_of(world, name="dealer_manager"):
    return world.principals[name].scope


def test_same_mobile_in_any_form_matches_one_customer(world):
    scope = scope_of(world)
    first, created = services.customer_upsert(scope=scope, dealer_id=world.dealers["A1"].pk,
                                              data={"name": "王小明", "mobile": "138 1234 5678"})
    again, created_again = services.customer_upsert(scope=scope, dealer_id=world.dealers["A1"].pk,
                                                    data={"name": "王小明", "mobile": "+86-138-1234-5678"})
    assert created and not created_again and first.pk == again.pk
    assert Customer.objects.filter(tenant=world.tenants["A"]).count() == 1
    assert first.mobile == "+8613812345678"


def test_id_number_matches_and_is_encrypted_at_rest(world):
    scope = scope_of(world)
    customer, _ = services.customer_upsert(scope=scope, dealer_id=world.dealers["A1"].pk,
                                           data={"name": "李四", "id_number": "11010519491231002x"})
    raw = Customer.objects.values_list("id_number_encrypted", flat=True).get(pk=customer.pk)
    assert "11010519491231002X" not in raw
    assert customer.id_number == "11010519491231002X"
    assert customer.id_number_masked == "110105********002X"
    same, created = services.customer_upsert(scope=scope, dealer_id=world.dealers["A2"].pk,
                                             data={"name": "李四", "id_number": "11010519491231002X"})
    assert not created and same.pk == customer.pk


def test_same_person_in_another_tenant_is_another_customer(world):
    a, _ = services.customer_upsert(scope=scope_of(world), dealer_id=world.dealers["A1"].pk,
                                    data={"name": "张三", "mobile": "13900001111"})
    b_scope = services.Scope(tenant_id=world.tenants["B"].pk, role="oem_admin")
    b, created = services.customer_upsert(scope=b_scope, dealer_id=world.dealers["B1"].pk,
                                          data={"name": "张三", "mobile": "13900001111"})
    assert created and a.pk != b.pk


def test_mobile_and_id_of_two_different_customers_is_refused(world):
    scope = scope_of(world)
    services.customer_upsert(scope=scope, dealer_id=None, data={"name": "甲", "mobile": "13900001111"})
    services.customer_upsert(scope=scope, dealer_id=None, data={"name": "乙", "id_number": "11010519491231002X"})
    with pytest.raises(ValidationError) as error:
        services.customer_upsert(scope=scope, dealer_id=None,
                                 data={"name": "甲", "mobile": "13900001111", "id_number": "11010519491231002X"})
    assert "mobile" in error.value.message_dict


@pytest.mark.parametrize(("field", "value"), [("mobile", "12345"), ("id_number", "110105194912310021"), ("name", "  ")])
def test_bad_values_are_field_errors(world, field, value):
    data = {"name": "王五", "mobile": "13900002222"} | {field: value}
    with pytest.raises(ValidationError) as error:
        services.customer_upsert(scope=scope_of(world), dealer_id=None, data=data)
    assert field in error.value.message_dict


def test_external_id_updates_the_same_customer(world):
    scope = scope_of(world)
    dealer = world.dealers["A1"].pk
    first, _ = services.customer_upsert(scope=scope, dealer_id=dealer, data={"name": "赵六"}, external_id="C1",
                                        link_kind=LinkKind.DMS)
    second, created = services.customer_upsert(scope=scope, dealer_id=dealer, data={"name": "赵六六"},
                                               external_id="C1")
    assert not created and first.pk == second.pk and second.name == "赵六六"
    assert CustomerDealer.objects.get(customer=first, dealer_id=dealer).external_id == "C1"


def test_do_not_call_keeps_history(world):
    scope = scope_of(world)
    customer, _ = services.customer_upsert(scope=scope, dealer_id=world.dealers["A1"].pk, data={"name": "钱七"})
    services.customer_set_do_not_call(scope=scope, customer=customer, do_not_call=True, reason="客户要求")
    services.customer_set_do_not_call(scope=scope, customer=customer, do_not_call=False, reason="重新同意")
    assert list(DoNotCallChange.objects.filter(customer=customer).values_list("do_not_call", flat=True)) == [False, True]


def test_latest_consent_is_in_force(world):
    scope = scope_of(world)
    customer, _ = services.customer_upsert(scope=scope, dealer_id=world.dealers["A1"].pk, data={"name": "孙八"})
    for granted in (True, False):
        services.consent_record(scope=scope, customer=customer, channel=ConsentChannel.PHONE,
                                purpose=ConsentPurpose.MARKETING, granted=granted, source=RecordSource.COUNTER,
                                text_version="v1")
    current = services.consent_current(customer)
    assert current[(ConsentChannel.PHONE, ConsentPurpose.MARKETING)].granted is False
    assert customer.consents.count() == 2


def test_reveal_is_logged(world):
    scope = scope_of(world, "oem_analyst")
    customer, _ = services.customer_upsert(scope=scope_of(world), dealer_id=world.dealers["A1"].pk,
                                           data={"name": "周九", "mobile": "13900003333"})
    assert services.customer_reveal(scope=scope, customer=customer, field="mobile") == "+8613900003333"
    event = AuditEvent.objects.get(action="customer.reveal.mobile")
    assert event.actor_user_id == scope.user_id and event.object_id == str(customer.pk)


def test_merge_moves_everything_to_the_survivor(world):
    scope = scope_of(world)
    dealer = world.dealers["A1"].pk
    survivor, _ = services.customer_upsert(scope=scope, dealer_id=dealer, data={"name": "吴十", "mobile": "13900004444"})
    duplicate, _ = services.customer_upsert(scope=scope, dealer_id=world.dealers["A2"].pk,
                                            data={"name": "吴十", "mobile": "13900005555"})
    sale, _created = sale_record(scope=scope, dealer_id=dealer, customer=duplicate, customer_data={},
                       vehicle_data={"vin": "LFV2A21K1C4000001"}, delivered_on="2025-01-02")
    visit, _created = service_visit_record(scope=scope, dealer_id=dealer, vin="LFV2A21K1C4000001", kind="maintenance",
                                 opened_at="2025-06-01T10:00:00+08:00")
    record = services.customer_merge(scope=scope, survivor=survivor, merged=duplicate)
    sale.refresh_from_db()
    visit.refresh_from_db()
    duplicate.refresh_from_db()
    assert sale.customer_id == visit.customer_id == survivor.pk
    assert duplicate.merged_into_id == survivor.pk
    assert record.moved["sales"] == 1 and record.moved["service_visits"] == 1
    assert set(survivor.dealer_links.values_list("dealer_id", flat=True)) == {dealer, world.dealers["A2"].pk}
    assert survivor.contact_points.filter(value="+8613900005555").exists()
    assert not Customer.objects.scoped(scope).filter(pk=duplicate.pk).exists()
    assert ServiceVisit.objects.filter(customer=duplicate).count() == 0
