"""Customer imports: CSV in UTF-8 with BOM and GB18030, XLSX, matching by mobile, bad rows, progress, re-runs."""

from __future__ import annotations

from datetime import datetime

import pytest

from crm_site.imports.models import ImportJob
from crm_site.imports.tasks import import_run
from crm_site.models import AuditEvent
from customers.models import Customer
from tests.helpers import browser

from .conftest import body, csv_bytes, read_csv, read_xlsx, stored_errors, xlsx_bytes

ID_NUMBER = "11010519491231002X"  # the GB 11643 example
ROWS = [
    ["姓名", "手机", "身份证号", "性别", "城市"],
    ["张伟", "13800138001", "", "男", "北京"],
    ["李娜", "138 0013 8002", "", "女", "上海"],
    ["王芳", "", ID_NUMBER, "女", ""],
]


def a1_customers(world):
    dealer = world.dealers["A1"]
    return Customer.objects.filter(tenant=dealer.tenant, dealer_links__dealer=dealer)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_import_creates_customers_and_the_same_file_again_creates_nothing(world, upload, encoding):
    client = browser(world, "sales_consultant")
    content = csv_bytes(ROWS, encoding)
    response, job = upload(client, "customers", content)
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.dealer_id == world.dealers["A1"].pk
    assert (job.status, job.total_rows, job.processed_rows) == ("done", 3, 3)
    assert (job.created_rows, job.updated_rows, job.failed_rows, job.errors) == (3, 0, 0, [])
    zhang = a1_customers(world).get(name="张伟")
    assert (zhang.mobile, zhang.gender, zhang.city) == ("+8613800138001", "male", "北京")
    assert a1_customers(world).get(name="王芳").id_number == ID_NUMBER

    _response, again = upload(client, "customers", content)
    again.refresh_from_db()
    assert (again.created_rows, again.updated_rows, again.failed_rows) == (0, 3, 0)
    assert Customer.objects.filter(tenant=world.tenants["A"]).count() == 3


def test_xlsx_import_with_english_headers_updates_the_customer_found_by_mobile(world, upload):
    client = browser(world, "service_advisor")
    first = [["Name", "Mobile", "birth date"], ["赵强", 13800138005, datetime(1985, 6, 1)]]
    _response, job = upload(client, "customers", xlsx_bytes(first), name="客户.xlsx")
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("done", 1)
    customer = a1_customers(world).get()
    assert (customer.mobile, str(customer.birth_date)) == ("+8613800138005", "1985-06-01")

    second = [["mobile", "city", "company"], ["13800138005", "天津", "=cmd"]]
    _response, job = upload(client, "customers", xlsx_bytes(second), name="update.xlsx")
    job.refresh_from_db()
    assert (job.created_rows, job.updated_rows) == (0, 1)
    customer.refresh_from_db()
    assert (customer.name, customer.city) == ("赵强", "天津")  # a blank or absent column keeps what was known


def test_bad_rows_are_reported_with_row_numbers_and_good_rows_kept(world, upload):
    client = browser(world, "dealer_manager")
    rows = [
        ["姓名", "手机"],
        ["好客户", "13800138010"],
        ["坏手机", "12345"],
        ["", "13800138011"],  # a new customer without a name
        [],  # blank rows are skipped and keep the numbering of the rows below
        ["也好", "13800138012"],
        ["没有号码", ""],
    ]
    _response, job = upload(client, "customers", csv_bytes(rows), headers={"accept-language": "en"})
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.created_rows, job.failed_rows) == ("done", 5, 2, 3)
    errors = stored_errors(job)
    assert errors == {
        3: {"mobile": ["Enter an 11-digit mainland China mobile number."]},
        4: {"name": ["Enter the customer's name."]},
        7: {"mobile": ["Enter a mobile number or an ID number, so the customer is found again next time."]},
    }
    assert set(a1_customers(world).values_list("name", flat=True)) == {"好客户", "也好"}
    page = client.get(f"/imports/{job.pk}/progress/", headers={"accept-language": "en"}).content.decode()
    assert "<td>3</td><td><strong>mobile</strong>: Enter an 11-digit mainland China mobile number.</td>" in page
    assert "/errors.xlsx" in page and "/errors.csv" in page


def test_progress_reaches_100_percent_and_stops_polling(world, upload):
    client = browser(world, "sales_consultant")
    _response, job = upload(client, "customers", csv_bytes(ROWS))
    fragment = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'value="100"' in fragment and "100%" in fragment and "hx-get" not in fragment
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "data.csv" in page and 'value="100"' in page


def test_a_queued_job_page_polls_its_progress_every_second(world):
    manager = world.principals["dealer_manager"].user
    job = ImportJob.objects.create(tenant=world.tenants["A"], dealer=world.dealers["A1"], created_by=manager,
                                   kind="customers", file_name="x.csv", content=csv_bytes(ROWS), total_rows=3)
    content = browser(world, "dealer_manager").get(f"/imports/{job.pk}/").content.decode()
    assert f'hx-get="/imports/{job.pk}/progress/"' in content and 'hx-trigger="every 1s"' in content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_error_report_holds_the_bad_rows_as_uploaded_with_an_error_column(world, upload, fmt):
    client = browser(world, "dealer_manager")
    rows = [["姓名", "手机", "城市"], ["好客户", "13800138010", "北京"], ["坏手机", "12345", "=1+1"]]
    _response, job = upload(client, "customers", csv_bytes(rows), headers={"accept-language": "en"})
    response = client.get(f"/imports/{job.pk}/errors.{fmt}", headers={"accept-language": "en"})
    assert response.status_code == 200
    content = body(response)
    table = read_csv(content) if fmt == "csv" else read_xlsx(content)
    assert table[0] == ["Row", "姓名", "手机", "城市", "Errors"]
    assert len(table) == 2
    number, name, mobile, city, error = table[1]
    assert (str(number), name, str(mobile), city) == ("3", "坏手机", "12345", "'=1+1")
    assert error == "mobile: Enter an 11-digit mainland China mobile number."
    assert AuditEvent.objects.filter(action="import.error_report", object_id=str(job.pk)).exists()


def test_a_finished_job_run_again_does_nothing(world, upload):
    client = browser(world, "sales_consultant")
    _response, job = upload(client, "customers", csv_bytes(ROWS))
    Customer.objects.filter(tenant=world.tenants["A"]).delete()
    scope = world.principals["sales_consultant"].scope
    assert import_run(job.pk, scope=scope.as_task_args()) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("done", 3)
    assert not Customer.objects.filter(tenant=world.tenants["A"]).exists()


def test_an_interrupted_job_resumes_after_the_last_saved_chunk(world):
    scope = world.principals["sales_consultant"].scope
    job = ImportJob.objects.create(tenant=world.tenants["A"], dealer=world.dealers["A1"], kind="customers",
                                   file_name="x.csv", content=csv_bytes(ROWS), total_rows=3,
                                   status=ImportJob.Status.RUNNING, processed_rows=1, created_rows=1)
    assert import_run(job.pk, scope=scope.as_task_args()) == "done"
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_rows) == ("done", 3, 3)
    assert set(a1_customers(world).values_list("name", flat=True)) == {"李娜", "王芳"}


def test_the_task_refuses_another_dealers_job(world):
    job = ImportJob.objects.create(tenant=world.tenants["A"], dealer=world.dealers["A2"], kind="customers",
                                   file_name="x.csv", content=csv_bytes(ROWS), total_rows=3)
    scope = world.principals["sales_consultant"].scope
    assert import_run(job.pk, scope=scope.as_task_args()) == "skipped"
    job.refresh_from_db()
    assert job.status == "queued" and not Customer.objects.filter(tenant=world.tenants["A"]).exists()


def test_upload_is_audited(world, upload):
    _response, job = upload(browser(world, "sales_consultant"), "customers", csv_bytes(ROWS))
    event = AuditEvent.objects.get(action="import.upload")
    assert event.object_id == str(job.pk) and event.detail["rows"] == 3


def test_rows_are_processed_in_chunks_and_errors_of_every_chunk_are_kept(world, upload, monkeypatch):
    monkeypatch.setattr("crm_site.imports.tasks.CHUNK_ROWS", 2)
    monkeypatch.setattr("crm_site.imports.tasks.BULK_CHUNK_ROWS", 2)
    rows = [["姓名", "手机"]] + [[f"客户{n}", f"138001380{n:02d}" if n % 2 else "bad"] for n in range(1, 8)]
    _response, job = upload(browser(world, "dealer_manager"), "customers", csv_bytes(rows))
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_rows, job.failed_rows) == ("done", 7, 4, 3)
    assert [entry["row"] for entry in job.errors] == [3, 5, 7]
