"""Exports: only in-scope rows, formulas neutralised, mobiles masked by role, audited, streamed with flat queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm_site.models import AuditEvent
from tests.customers.factories import CustomerFactory
from tests.helpers import browser
from tests.vehicles.factories import SaleFactory, ServiceVisitFactory, VehicleFactory

from .conftest import body, read_csv, read_xlsx, xlsx_bytes

EN = {"accept-language": "en"}
FACTORIES = {"customers": CustomerFactory, "vehicles": VehicleFactory, "sales": SaleFactory,
             "service_visits": ServiceVisitFactory}


def marker(kind: str, obj) -> str:
    """What identifies the object in its export."""
    if kind == "customers":
        return obj.name
    return obj.vin if kind == "vehicles" else obj.vehicle.vin


def export(client, kind: str, fmt: str = "csv", query: str = "", headers=None) -> list[list]:
    response = client.get(f"/imports/export/{kind}.{fmt}{'?' + query if query else ''}", headers=headers or {})
    assert response.status_code == 200, response.content[:500]
    content = body(response)
    return read_csv(content) if fmt == "csv" else read_xlsx(content)


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("name", ["dealer_manager", "region_manager"])
def test_dealer_and_region_staff_export_only_their_dealers_rows(world, kind, name):
    made = {key: FACTORIES[kind](dealer=world.dealers[key]) for key in ("A1", "A2", "B1", "B2")}
    content = str(export(browser(world, name), kind))
    assert marker(kind, made["A1"]) in content
    for key in ("A2", "B1", "B2"):
        assert marker(kind, made[key]) not in content, key


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_hq_exports_its_tenant_and_can_narrow_to_one_dealer(world, kind):
    made = {key: FACTORIES[kind](dealer=world.dealers[key]) for key in ("A1", "A2", "B1")}
    admin = browser(world, "oem_admin")
    content = str(export(admin, kind, "xlsx"))
    assert marker(kind, made["A1"]) in content and marker(kind, made["A2"]) in content
    assert marker(kind, made["B1"]) not in content
    narrowed = str(export(admin, kind, query=f"dealer={world.dealers['A2'].pk}"))
    assert marker(kind, made["A2"]) in narrowed and marker(kind, made["A1"]) not in narrowed


def test_a_dealer_outside_the_scope_or_a_bad_date_is_a_400_not_a_500(world):
    admin = browser(world, "oem_admin")
    assert admin.get(f"/imports/export/customers.csv?dealer={world.dealers['B1'].pk}").status_code == 400
    assert admin.get("/imports/export/customers.csv?dealer=abc").status_code == 400
    assert admin.get("/imports/export/sales.csv?date_from=2025-13-01").status_code == 400
    assert admin.get("/imports/export/sales.csv?date_from=2025-02-01&date_to=2025-01-01").status_code == 400
    assert admin.get("/imports/export/cars.csv").status_code == 404
    assert admin.get("/imports/export/customers.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_date_range_and_updated_after_filters(world):
    early = SaleFactory(dealer=world.dealers["A1"], delivered_on=date(2025, 1, 10))
    late = SaleFactory(dealer=world.dealers["A1"], delivered_on=date(2025, 3, 10))
    content = str(export(browser(world, "dealer_manager"), "sales", query="date_from=2025-03-01&date_to=2025-03-31"))
    assert late.vehicle.vin in content and early.vehicle.vin not in content
    future = str(export(browser(world, "dealer_manager"), "sales", query="updated_after=2999-01-01T00:00"))
    assert late.vehicle.vin not in future


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised(world, fmt):
    CustomerFactory(dealer=world.dealers["A1"], name='=HYPERLINK("http://evil.example","点我")', city="+1+cmd|' /C calc'!A0",
                    province="-2+3", company_name="@SUM(1+1)")
    CustomerFactory(dealer=world.dealers["A1"], name="\tTab", city="\rCR", company_name="普通公司")
    rows = export(browser(world, "dealer_manager"), "customers", fmt, headers=EN)
    header = rows[0]
    by_name = {row[header.index("name")]: row for row in rows[1:]}
    evil = by_name["'=HYPERLINK(\"http://evil.example\",\"点我\")"]
    assert evil[header.index("city")] == "'+1+cmd|' /C calc'!A0"
    assert evil[header.index("province")] == "'-2+3"
    assert evil[header.index("company")] == "'@SUM(1+1)"
    tab = by_name["'\tTab"]
    # XML turns a raw CR into LF when the workbook is read back; either way the quote comes first.
    assert tab[header.index("city")] in {"'\rCR", "'\nCR"} and tab[header.index("company")] == "普通公司"


def test_mobiles_are_masked_for_the_analyst_and_full_for_the_dealer(world):
    CustomerFactory(dealer=world.dealers["A1"], mobile="+8613912345678")
    analyst = export(browser(world, "oem_analyst"), "customers", headers=EN)
    manager = export(browser(world, "dealer_manager"), "customers", headers=EN)
    column = analyst[0].index("mobile")
    assert [row[column] for row in analyst[1:]] == ["139****5678"]
    assert [row[column] for row in manager[1:]] == ["13912345678"]
    sales = export(browser(world, "oem_analyst"), "vehicles", headers=EN)
    assert "13912345678" not in str(sales)


def test_every_export_writes_an_audit_row(world):
    export(browser(world, "oem_analyst"), "customers", "xlsx", query=f"dealer={world.dealers['A2'].pk}")
    event = AuditEvent.objects.get(action="export.customers")
    assert event.actor_user == world.principals["oem_analyst"].user and event.tenant == world.tenants["A"]
    assert event.detail == {"format": "xlsx", "filters": {"dealer": world.dealers["A2"].pk}}


@pytest.mark.parametrize("name", ["sales_consultant", "service_advisor", "cc_agent"])
def test_roles_without_export_get_403(world, name):
    client = browser(world, name)
    assert client.get("/imports/export/customers.csv").status_code == 403
    assert client.get("/imports/export/").status_code == 403


def test_the_export_page_sends_a_valid_choice_to_the_download(world):
    client = browser(world, "oem_admin")
    assert client.get("/imports/export/").status_code == 200
    dealer = world.dealers["A1"].pk
    response = client.get(f"/imports/export/?kind=sales&fmt=xlsx&dealer={dealer}&date_from=2025-01-01")
    assert response.status_code == 302
    assert response["Location"] == f"/imports/export/sales.xlsx?dealer={dealer}&date_from=2025-01-01"
    assert client.get("/imports/export/?kind=sales&fmt=pdf").status_code == 400


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_export_query_count_does_not_grow_with_rows(world, kind):
    client = browser(world, "dealer_manager")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body(client.get(f"/imports/export/{kind}.csv"))
        return len(queries)

    FACTORIES[kind](dealer=world.dealers["A1"])
    one = count()
    for _ in range(5):
        FACTORIES[kind](dealer=world.dealers["A1"])
    assert count() == one


def test_an_export_can_be_imported_again_without_changes(world, upload):
    for _ in range(3):
        CustomerFactory(dealer=world.dealers["A1"])
    client = browser(world, "dealer_manager")
    content = body(client.get("/imports/export/customers.csv"))
    _response, job = upload(client, "customers", content, name="export.csv")
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.updated_rows, job.failed_rows) == ("done", 0, 3, 0)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_carry_the_headers_and_import_once_filled(world, upload, fmt):
    client = browser(world, "sales_consultant")
    response = client.get(f"/imports/template/customers.{fmt}")
    assert response.status_code == 200
    content = body(response)
    rows = read_csv(content) if fmt == "csv" else read_xlsx(content)
    assert rows[0][:3] == ["姓名", "手机", "身份证号"] and len(rows) == 1
    if fmt == "xlsx":
        assert read_xlsx(content, sheet=1)[1][:2] == ["姓名", "name"]
        filled = xlsx_bytes([rows[0], ["张伟", "13800138001"]])
    else:
        filled = content + "张伟,13800138001\r\n".encode()
    _response, job = upload(client, "customers", filled, name=f"filled.{fmt}")
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("done", 1)
    assert client.get("/imports/template/cars.csv").status_code == 404
