"""Who may import what, jobs of other dealers and tenants, and every way a file is refused with a form error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from crm_site.imports.models import ImportJob
from tests.helpers import browser

from .conftest import csv_bytes, xlsx_bytes

EN = {"accept-language": "en"}
ROWS = [["姓名", "手机"], ["张伟", "13800138001"], ["李娜", "13800138002"]]


@pytest.mark.parametrize("name", ["oem_analyst", "region_manager", "cc_agent", "cc_supervisor"])
def test_roles_without_import_get_403(world, name):
    client = browser(world, name)
    assert client.get("/imports/new/").status_code == 403
    response = client.post("/imports/new/", {"kind": "customers", "file": SimpleUploadedFile("a.csv", csv_bytes(ROWS))})
    assert response.status_code == 403 and not ImportJob.objects.exists()


# The kinds' permissions (customers.edit, vehicles.edit, vehicles.sale_record, vehicles.visit_record) decide.
@pytest.mark.parametrize(("name", "kinds"), [
    ("sales_consultant", {"customers", "vehicles", "sales"}),
    ("service_advisor", {"customers", "vehicles", "service_visits"}),
    ("dealer_manager", {"customers", "vehicles", "sales", "service_visits"}),
    ("oem_admin", {"customers", "vehicles", "sales", "service_visits"}),
])
def test_each_role_is_offered_only_the_kinds_it_may_import(world, name, kinds):
    response = browser(world, name).get("/imports/new/")
    assert response.status_code == 200
    assert {value for value, _label in response.context["form"].fields["kind"].choices} == kinds


def test_a_kind_the_role_may_not_import_is_a_form_error(world, upload):
    rows = [["工单号", "类型", "进厂时间", "车架号"], ["RO-1", "保养", "2025-06-01", "x"]]
    response, job = upload(browser(world, "sales_consultant"), "service_visits", csv_bytes(rows))
    assert response.status_code == 200 and job is None
    assert "kind" in response.context["form"].errors


def test_anonymous_is_sent_to_login(db):
    from django.test import Client

    response = Client().get("/imports/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_another_dealers_or_tenants_job_answers_404(world):
    other_dealer = ImportJob.objects.create(tenant=world.tenants["A"], dealer=world.dealers["A2"], kind="customers",
                                            file_name="a2.csv", content=csv_bytes(ROWS), total_rows=2)
    other_tenant = ImportJob.objects.create(tenant=world.tenants["B"], dealer=world.dealers["B1"], kind="customers",
                                            file_name="b1.csv", content=csv_bytes(ROWS), total_rows=2)
    manager = browser(world, "dealer_manager")
    for path in ("/", "/progress/", "/errors.csv", "/errors.xlsx"):
        assert manager.get(f"/imports/{other_dealer.pk}{path}").status_code == 404, path
        assert browser(world, "oem_admin").get(f"/imports/{other_tenant.pk}{path}").status_code == 404, path
    assert browser(world, "oem_admin").get(f"/imports/{other_dealer.pk}/").status_code == 200
    assert "a2.csv" not in manager.get("/imports/").content.decode()
    assert manager.get("/imports/99999999999999999999/").status_code == 404


def test_job_list_shows_my_dealers_jobs(world, upload):
    upload(browser(world, "service_advisor"), "customers", csv_bytes(ROWS), name="advisor.csv")
    content = browser(world, "sales_consultant").get("/imports/").content.decode()
    assert "advisor.csv" in content


def test_oem_admin_picks_a_dealer_from_the_scope(world, upload):
    admin = browser(world, "oem_admin")
    response, job = upload(admin, "customers", csv_bytes(ROWS), dealer=world.dealers["B1"].pk)
    assert response.status_code == 200 and job is None and "dealer" in response.context["form"].errors
    response, job = upload(admin, "customers", csv_bytes(ROWS))
    assert response.status_code == 200 and "dealer" in response.context["form"].errors
    response, job = upload(admin, "customers", csv_bytes(ROWS), dealer=world.dealers["A2"].pk)
    job.refresh_from_db()
    assert (job.dealer_id, job.status, job.created_rows) == (world.dealers["A2"].pk, "done", 2)


def form_error(upload, world, content: bytes, name: str = "data.csv", kind: str = "customers") -> str:
    response, job = upload(browser(world, "dealer_manager"), kind, content, name=name, headers=EN)
    assert response.status_code == 200 and job is None
    assert not ImportJob.objects.exists()
    return " ".join(response.context["form"].errors["file"])


@override_settings(IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_a_form_error(world, upload):
    assert "larger than" in form_error(upload, world, csv_bytes(ROWS * 10))


@override_settings(IMPORT_MAX_ROWS=1)
def test_a_file_over_the_row_limit_is_a_form_error(world, upload):
    assert "more than 1 rows" in form_error(upload, world, csv_bytes(ROWS))


def test_an_empty_file_is_a_form_error(world, upload):
    assert "empty" in form_error(upload, world, b"")
    assert "empty" in form_error(upload, world, b"\xef\xbb\xbf\r\n,,\r\n")
    assert "no rows" in form_error(upload, world, csv_bytes([["姓名", "手机"]]))
    assert "no rows" in form_error(upload, world, xlsx_bytes([["姓名", "手机"]]), name="empty.xlsx")


def test_unknown_repeated_and_missing_columns_are_form_errors(world, upload):
    message = form_error(upload, world, csv_bytes([["姓名", "手机", "微信号", "爱好"], ["张伟", "13800138001", "x", "y"]]))
    assert "Unknown columns: 微信号, 爱好." in message
    assert "given twice" in form_error(upload, world, csv_bytes([["姓名", "手机", "mobile"], ["a", "1", "1"]]))
    assert "at least one of" in form_error(upload, world, csv_bytes([["姓名", "城市"], ["a", "b"]]))
    assert "Missing column: 车架号" in form_error(
        upload, world, csv_bytes([["车牌"], ["京A12345"]]), kind="vehicles").replace("VIN", "车架号")


def test_wrong_file_types_are_form_errors(world, upload):
    assert "CSV file or an Excel workbook" in form_error(upload, world, b"\x89PNG\r\n", name="photo.png")
    assert "old Excel .xls" in form_error(upload, world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="a.xls")
    assert "cannot be read as an Excel workbook" in form_error(upload, world, b"not a zip", name="a.xlsx")
    assert "cannot be read" in form_error(upload, world, '姓名,手机\n"张伟,13800138001\n'.encode(), name="a.csv")


def test_the_upload_page_documents_columns_and_links_templates(world):
    content = browser(world, "service_advisor").get("/imports/new/").content.decode()
    assert "/imports/template/vehicles.xlsx" in content and "工单号" in content and "车架号" in content
    assert "/imports/template/sales.csv" not in content  # a service advisor does not import sales


STAFF = ["oem_admin", "oem_analyst", "region_manager", "cc_supervisor", "cc_agent", "dealer_manager",
         "sales_consultant", "service_advisor"]


@pytest.mark.parametrize("name", STAFF)
def test_a_job_outside_the_scope_answers_404_for_every_role(world, name):
    principal = world.principals[name]
    # Dealer-bound and regional staff do not see A2; tenant-wide staff see all of A but nothing of B.
    outside = "A2" if "A2" not in principal.sees else "B1"
    dealer = world.dealers[outside]
    job = ImportJob.objects.create(tenant=dealer.tenant, dealer=dealer, kind="customers", file_name="other.csv",
                                   content=csv_bytes(ROWS), total_rows=2)
    client = browser(world, name)
    for path in ("/", "/progress/", "/errors.csv", "/errors.xlsx"):
        assert client.get(f"/imports/{job.pk}{path}").status_code == 404, path
    listing = client.get("/imports/")
    assert listing.status_code in {200, 403} and "other.csv" not in listing.content.decode()


@pytest.mark.parametrize("name", ["oem_analyst", "region_manager", "cc_agent"])
def test_a_job_inside_the_scope_is_forbidden_to_roles_without_its_import(world, name):
    job = ImportJob.objects.create(tenant=world.tenants["A"], dealer=world.dealers["A1"], kind="customers",
                                   file_name="mine.csv", content=csv_bytes(ROWS), total_rows=2)
    assert browser(world, name).get(f"/imports/{job.pk}/").status_code == 403


def test_the_job_table_keeps_its_name_and_its_row_level_security_policy(db):
    from django.db import connection

    from crm_site import rls

    assert ImportJob._meta.db_table == "crm_site_importjob" and ImportJob._meta.app_label == "imports"
    assert "crm_site_importjob" in rls.tenant_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT relrowsecurity FROM pg_class WHERE relname = 'crm_site_importjob'")
        assert cursor.fetchone() == (True,)
        cursor.execute("SELECT 1 FROM pg_policies WHERE tablename = 'crm_site_importjob' AND policyname = %s",
                       [rls.POLICY])
        assert cursor.fetchone() == (1,)
