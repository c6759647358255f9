"""The set-based customer upsert (customers.bulk) keeps customer_upsert's rules, and the import uses it per chunk."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from crm_site import crypto
from crm_site.imports.models import ImportJob
from crm_site.models import AuditEvent
from crm_site.scope import Scope
from customers.bulk import customers_bulk_upsert
from customers.choices import LinkKind
from customers.models import Customer, CustomerDealer
from customers.services import customer_upsert
from tests.customers.factories import CustomerFactory
from tests.helpers import browser

from .conftest import csv_bytes

ID_NUMBER = "11010519491231002X"  # the GB 11643 example
OTHER_ID = "110105194912310038"


def scope_of(world, tenant: str = "A") -> Scope:
    return Scope(tenant_id=world.tenants[tenant].pk, role="dealer_manager",
                 dealer_ids=frozenset({world.dealers[f"{tenant}1"].pk}))


def bulk(world, items: list[dict], tenant: str = "A"):
    return customers_bulk_upsert(scope=scope_of(world, tenant), dealer_id=world.dealers[f"{tenant}1"].pk, items=items)


def errors(result) -> dict:
    return result.error.message_dict if result.error is not None else {}


def test_new_customers_are_created_with_their_dealer_link_and_one_audit_row(world):
    results = bulk(world, [
        {"name": "张伟", "mobile": "13800138001", "city": "北京", "external_id": "C-1"},
        {"name": "王芳", "id_number": ID_NUMBER, "gender": "female"},
    ])
    assert [r.created for r in results] == [True, True] and all(r.error is None for r in results)
    zhang, wang = (Customer.objects.get(pk=r.customer_id) for r in results)
    assert (zhang.name, zhang.mobile, zhang.city, zhang.tenant_id) == ("张伟", "+8613800138001", "北京",
                                                                      world.tenants["A"].pk)
    # The ID number is stored encrypted with its lookup hash, never in clear.
    assert wang.id_number == ID_NUMBER and ID_NUMBER not in wang.id_number_encrypted
    assert wang.id_number_hash == crypto.lookup_hash(ID_NUMBER) and wang.gender == "female"
    link = CustomerDealer.objects.get(customer=zhang)
    assert (link.dealer, link.kind, link.external_id) == (world.dealers["A1"], LinkKind.ASSIGNED, "C-1")
    event = AuditEvent.objects.get(action="customer.bulk_upsert")
    assert sorted(event.detail["created"]) == sorted(r.customer_id for r in results)


def test_a_known_customer_is_updated_and_a_blank_value_keeps_what_is_known(world):
    known = CustomerFactory(dealer=world.dealers["A2"], name="赵强", mobile="+8613800138005", city="天津",
                            province="天津")
    [result] = bulk(world, [{"mobile": "138 0013 8005", "city": "北京", "province": "", "company_name": None}])
    assert (result.customer_id, result.created, result.error) == (known.pk, False, None)
    known.refresh_from_db()
    assert (known.name, known.city, known.province) == ("赵强", "北京", "天津")
    # Serving the customer links them to this dealer too.
    assert set(known.dealer_links.values_list("dealer_id", flat=True)) == {world.dealers["A1"].pk,
                                                                          world.dealers["A2"].pk}


def test_a_customer_is_found_by_id_number_alone(world):
    known = CustomerFactory(dealer=world.dealers["A1"], name="王芳", mobile="")
    known.set_id_number(ID_NUMBER)
    known.save()
    [result] = bulk(world, [{"id_number": ID_NUMBER, "mobile": "13800138009"}])
    assert (result.customer_id, result.created) == (known.pk, False)
    known.refresh_from_db()
    assert (known.name, known.mobile, known.id_number) == ("王芳", "+8613800138009", ID_NUMBER)


def test_a_person_twice_in_one_chunk_is_created_once_then_updated(world):
    results = bulk(world, [
        {"name": "李娜", "mobile": "13800138002", "city": "上海"},
        {"mobile": "13800138002", "id_number": ID_NUMBER, "city": ""},
        {"id_number": ID_NUMBER, "name": "李娜娜"},
    ])
    assert [(r.created, r.error) for r in results] == [(True, None), (False, None), (False, None)]
    assert len({r.customer_id for r in results}) == 1
    customer = Customer.objects.get(tenant=world.tenants["A"])
    assert (customer.name, customer.mobile, customer.city, customer.id_number) == (
        "李娜娜", "+8613800138002", "上海", ID_NUMBER)
    assert customer.dealer_links.count() == 1


def test_bad_items_are_reported_and_the_good_ones_kept(world):
    first = CustomerFactory(dealer=world.dealers["A1"], mobile="+8613800138021")
    second = CustomerFactory(dealer=world.dealers["A1"], mobile="")
    second.set_id_number(OTHER_ID)
    second.save()
    # A merged-away customer is never matched, but its link still holds its external id.
    merged = CustomerFactory(dealer=world.dealers["A1"], mobile="+8613800138023")
    CustomerDealer.objects.filter(customer=merged).update(external_id="TAKEN")
    Customer.objects.filter(pk=merged.pk).update(merged_into=first)
    with translation.override("en"):
        results = bulk(world, [
            {"name": "好", "mobile": "13800138020"},
            {"name": "坏", "mobile": "12345"},
            {"mobile": "13800138030"},  # a new customer needs a name
            {"mobile": "13800138021", "id_number": OTHER_ID},  # two different customers
            {"mobile": "13800138021", "external_id": "TAKEN"},
            {"name": "长", "mobile": "13800138031", "city": "城" * 65},
            {"name": "性别", "mobile": "13800138032", "gender": "robot"},
        ])
        found = [errors(result) for result in results]  # the messages are lazy: read them in English
    assert results[0].created and found[0] == {}
    assert list(found[1]) == ["mobile"]
    assert found[2] == {"name": ["Enter the customer's name."]}
    assert list(found[3]) == ["mobile"] and "two different customers" in found[3]["mobile"][0]
    assert found[4] == {"external_id": ["Another customer already has this external id at this dealer."]}
    assert list(found[5]) == ["city"] and list(found[6]) == ["gender"]
    assert Customer.objects.filter(tenant=world.tenants["A"], merged_into__isnull=True).count() == 3
    first.refresh_from_db()
    assert first.dealer_links.get().external_id == ""


def test_the_dealers_external_id_finds_the_customer_and_can_be_given_later(world):
    known = CustomerFactory(dealer=world.dealers["A1"], mobile="+8613800138040", name="旧名")
    [given] = bulk(world, [{"mobile": "13800138040", "external_id": "DMS-9"}])
    assert (given.customer_id, given.created) == (known.pk, False)
    assert known.dealer_links.get().external_id == "DMS-9"
    [found] = bulk(world, [{"external_id": "DMS-9", "name": "新名", "mobile": "13800138041"}])
    known.refresh_from_db()
    assert (found.customer_id, known.name, known.mobile) == (known.pk, "新名", "+8613800138041")


ITEMS = [
    {"name": "甲", "mobile": "13800138101", "city": "北京", "external_id": "E1"},
    {"name": "乙", "id_number": ID_NUMBER},
    {"mobile": "13800138101", "id_number": ID_NUMBER},  # two different customers by now
    {"name": "丙", "mobile": "13800138103", "external_id": "E1"},  # E1 is 甲's at this dealer
    {"external_id": "E1", "city": "上海", "province": ""},
    {"name": "丁", "mobile": "bad"},
    {"id_number": ID_NUMBER, "mobile": "13800138104", "birth_date": "1990-05-06"},
    {"name": "戊", "mobile": "13800138104"},  # now 乙's mobile: updates 乙's name
]


def test_a_chunk_ends_as_the_same_items_one_by_one_through_customer_upsert(world):
    def outcome(results, tenant):
        customers = Customer.objects.filter(tenant=world.tenants[tenant]).order_by("name")
        rows = [(c.name, c.mobile, c.city, str(c.birth_date), c.id_number, sorted(
            c.dealer_links.values_list("external_id", flat=True))) for c in customers]
        return [(created, sorted(errs)) for created, errs in results], rows

    bulk_results = [(r.created, errors(r)) for r in bulk(world, ITEMS)]
    one_by_one = []
    scope = scope_of(world, "B")
    for item in ITEMS:
        data = {k: v for k, v in item.items() if k != "external_id"}
        try:
            _customer, created = customer_upsert(scope=scope, dealer_id=world.dealers["B1"].pk, data=data,
                                                 external_id=item.get("external_id", ""))
            one_by_one.append((created, {}))
        except Exception as exc:  # noqa: BLE001  (the ValidationError of the item)
            one_by_one.append((None, exc.message_dict))
    bulk_results = [(None if errs else created, errs) for created, errs in bulk_results]
    assert outcome(bulk_results, "A") == outcome(one_by_one, "B")


def test_a_chunk_takes_a_constant_number_of_queries(world):
    def queries(offset: int, count: int) -> int:
        items = [{"name": f"客户{n}", "mobile": f"1380013{n:04d}", "external_id": f"X{n}"}
                 for n in range(offset, offset + count)]
        with CaptureQueriesContext(connection) as captured:
            bulk(world, items)
        return len(captured)

    assert queries(0, 3) == queries(100, 300)


@pytest.fixture
def no_row_path(monkeypatch):
    """The import's row handler fails loudly: only the set-based path may write."""

    def refuse(**kwargs):
        raise AssertionError("the row-by-row path was used")

    monkeypatch.setattr("customers.imports.customer_upsert", refuse)


def test_the_customer_import_goes_through_the_bulk_path(world, upload, no_row_path):
    rows = [["姓名", "手机", "城市"]] + [[f"客户{n}", f"1380013{n:04d}", "北京"] for n in range(30)]
    client = browser(world, "dealer_manager")
    _response, job = upload(client, "customers", csv_bytes(rows))
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.failed_rows) == ("done", 30, 0)
    rows[1][2] = "上海"
    _response, again = upload(client, "customers", csv_bytes(rows))
    again.refresh_from_db()
    assert (again.status, again.created_rows, again.updated_rows) == ("done", 0, 30)
    assert Customer.objects.get(mobile="+8613800130000").city == "上海"


def test_a_chunk_that_meets_a_concurrent_insert_is_imported_row_by_row(world, upload, monkeypatch):
    def conflict(self):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("customers.bulk.CustomerChunk.write", conflict)
    rows = [["姓名", "手机"], ["甲", "13800138201"], ["乙", "bad"], ["丙", "13800138203"]]
    _response, job = upload(browser(world, "dealer_manager"), "customers", csv_bytes(rows))
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.failed_rows) == ("done", 2, 1)
    assert [entry["row"] for entry in job.errors] == [3]
    assert not AuditEvent.objects.filter(action="customer.bulk_upsert").exists()


def test_a_programming_error_in_the_bulk_path_stops_the_job_instead_of_hiding(world, upload, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr("customers.bulk.CustomerChunk.write", broken)
    _response, job = upload(browser(world, "dealer_manager"), "customers", csv_bytes([["姓名", "手机"], ["甲", "13800138301"]]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not Customer.objects.filter(tenant=world.tenants["A"]).exists()


API_ITEMS = [
    {"name": "王一", "mobile": "13800000001", "external_id": "C-1", "city": "北京"},
    {"name": "王二", "mobile": "12345"},
    {"mobile": "13800000004"},
    {"name": "王五", "id_number": ID_NUMBER, "external_id": "C-5"},
    {"mobile": "13800000001", "city": "上海"},  # 王一 again in the same batch
    {"name": "王六", "mobile": "13800000006", "do_not_call": True},  # per item: do-not-call keeps its history
    "not an object",
    {"mobile": "13800000001", "id_number": ID_NUMBER},  # two different customers
]


def test_the_customers_api_bulk_answers_as_item_by_item(world, monkeypatch):
    from crm_site.api.bulk import BulkUpsertMixin
    from customers.api.views import CustomerViewSet

    def run() -> tuple:
        with transaction.atomic():
            response = world.principals["client_dealer_write"].api().post(
                "/api/v1/customers/bulk/", {"items": API_ITEMS}, format="json")
            assert response.status_code == 200, response.content
            body = response.json()
            for result in body["results"]:
                result.pop("id", None)  # ids differ between the two runs
            state = sorted((c.name, c.mobile, c.city, c.do_not_call) for c in Customer.objects.filter(
                tenant=world.tenants["A"]))
            events = sorted((e.action, tuple(e.detail.get("fields", ()))) for e in AuditEvent.objects.filter(
                action__in=["customer.create", "customer.update"]))
            transaction.set_rollback(True)
        return body, state, events

    set_based = run()
    monkeypatch.setattr(CustomerViewSet, "bulk_upsert", BulkUpsertMixin.bulk_upsert)
    assert set_based == run()
    assert [r["status"] for r in set_based[0]["results"]] == [
        "created", "error", "error", "created", "updated", "created", "error", "error"]
