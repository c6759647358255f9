"""Imported sales and repair orders name their sales consultant / service advisor; an unknown one is a row error."""

from __future__ import annotations

from dealers.choices import Role
from tests.dealers.factories import UserFactory
from tests.helpers import browser
from tests.vehicles.factories import make_vin
from vehicles.models import Sale, ServiceVisit

from .conftest import body, csv_bytes, read_csv, stored_errors

EN = {"accept-language": "en"}
SALES_HEADER = ["销售单号", "交车日期", "销售顾问", "姓名", "手机", "车架号"]
VISITS_HEADER = ["工单号", "类型", "进厂时间", "服务顾问", "车架号"]


def staff(world, role: str, code: str, name: str, dealer: str = "A1", **extra):
    return UserFactory(role=role, dealer=world.dealers[dealer], tenant=world.dealers[dealer].tenant,
                       staff_code=code, full_name=name, **extra)


def test_sales_name_their_consultant_by_staff_code_or_name_and_an_unknown_one_is_a_row_error(world, upload):
    li = staff(world, Role.SALES_CONSULTANT, "S001", "李销售")
    wang = staff(world, Role.SALES_CONSULTANT, "S002", "王销售")
    staff(world, Role.SALES_CONSULTANT, "S003", "赵销售", dealer="A2")  # another store's consultant
    staff(world, Role.SERVICE_ADVISOR, "A001", "钱顾问")  # not a consultant
    staff(world, Role.SALES_CONSULTANT, "S004", "孙销售", is_active=False)
    rows = [
        SALES_HEADER,
        ["SO-1", "2025-05-01", "S001", "张伟", "13800138001", make_vin(31)],
        ["SO-2", "2025-05-02", "王销售", "李娜", "13800138002", make_vin(32)],
        ["SO-3", "2025-05-03", "赵销售", "王芳", "13800138003", make_vin(33)],
        ["SO-4", "2025-05-04", "钱顾问", "赵强", "13800138004", make_vin(34)],
        ["SO-5", "2025-05-05", "S004", "孙丽", "13800138005", make_vin(35)],
        ["SO-6", "2025-05-06", "", "周杰", "13800138006", make_vin(36)],
    ]
    _response, job = upload(browser(world, "sales_consultant"), "sales", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.failed_rows) == ("done", 3, 3)
    errors = stored_errors(job)
    assert set(errors) == {4, 5, 6} and all(list(e) == ["consultant"] for e in errors.values())
    assert "“赵销售”" in errors[4]["consultant"][0]
    assert Sale.objects.get(external_id="SO-1").consultant == li
    assert Sale.objects.get(external_id="SO-2").consultant == wang
    assert Sale.objects.get(external_id="SO-6").consultant is None
    assert not Sale.objects.filter(external_id__in=["SO-3", "SO-4", "SO-5"]).exists()
    page = browser(world, "sales_consultant").get(f"/imports/{job.pk}/progress/", headers=EN).content.decode()
    assert "<strong>sales consultant</strong>:" in page


def test_two_consultants_of_one_name_need_the_staff_code(world, upload):
    staff(world, Role.SALES_CONSULTANT, "S010", "刘洋")
    staff(world, Role.SALES_CONSULTANT, "S011", "刘洋")
    rows = [SALES_HEADER, ["SO-9", "2025-05-01", "刘洋", "张伟", "13800138001", make_vin(41)]]
    _response, job = upload(browser(world, "dealer_manager"), "sales", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert job.failed_rows == 1 and "staff code" in stored_errors(job)[next(iter(stored_errors(job)))]["consultant"][0]


def test_a_blank_consultant_keeps_the_one_recorded_and_a_sale_without_order_number_gets_one(world, upload):
    li = staff(world, Role.SALES_CONSULTANT, "S001", "李销售")
    client = browser(world, "dealer_manager")
    upload(client, "sales", csv_bytes([SALES_HEADER, ["SO-1", "2025-05-01", "S001", "张伟", "13800138001",
                                                      make_vin(51)]]))
    _response, job = upload(client, "sales", csv_bytes([SALES_HEADER, ["SO-1", "2025-05-01", "", "张伟",
                                                                       "13800138001", make_vin(51)]]))
    job.refresh_from_db()
    assert (job.updated_rows, Sale.objects.get(external_id="SO-1").consultant) == (1, li)
    # A sale recorded without an order number, named again with its consultant: the same sale, now with them.
    upload(client, "sales", csv_bytes([SALES_HEADER, ["", "2025-05-02", "", "李娜", "13800138002", make_vin(52)]]))
    upload(client, "sales", csv_bytes([SALES_HEADER, ["", "2025-05-02", "李销售", "李娜", "13800138002",
                                                      make_vin(52)]]))
    sale = Sale.objects.get(vehicle__vin=make_vin(52))
    assert sale.consultant == li


def test_visits_name_their_advisor_by_staff_code_or_name(world, upload):
    qian = staff(world, Role.SERVICE_ADVISOR, "A001", "钱顾问")
    sun = staff(world, Role.SERVICE_ADVISOR, "", "孙顾问")
    rows = [
        VISITS_HEADER,
        ["RO-1", "保养", "2025-06-01 09:00", "A001", make_vin(61)],
        ["RO-2", "维修", "2025-06-02 09:00", "孙顾问", make_vin(62)],
        ["RO-3", "维修", "2025-06-03 09:00", "无名氏", make_vin(63)],
        ["RO-4", "维修", "2025-06-04 09:00", "", make_vin(64)],
    ]
    client = browser(world, "service_advisor")
    _response, job = upload(client, "service_visits", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.created_rows, job.failed_rows) == (3, 1)
    assert job.errors[0]["row"] == 4 and list(job.errors[0]["errors"]) == ["advisor"]
    assert ServiceVisit.objects.get(external_id="RO-1").advisor == qian
    assert ServiceVisit.objects.get(external_id="RO-2").advisor == sun
    assert ServiceVisit.objects.get(external_id="RO-4").advisor is None
    # A blank advisor cell on a repair order imported again keeps the advisor.
    upload(client, "service_visits", csv_bytes([VISITS_HEADER, ["RO-1", "保养", "2025-06-01 09:00", "", make_vin(61)]]))
    assert ServiceVisit.objects.get(external_id="RO-1").advisor == qian


def test_exports_of_sales_and_visits_name_the_staff_and_import_again_unchanged(world, upload):
    li = staff(world, Role.SALES_CONSULTANT, "S001", "李销售")
    qian = staff(world, Role.SERVICE_ADVISOR, "", "钱顾问")
    client = browser(world, "dealer_manager")
    upload(client, "sales", csv_bytes([SALES_HEADER, ["SO-1", "2025-05-01", "S001", "张伟", "13800138001",
                                                      make_vin(71)]]))
    upload(client, "service_visits", csv_bytes([VISITS_HEADER, ["RO-1", "保养", "2025-06-01 09:00", "钱顾问",
                                                                make_vin(71)]]))
    for kind, header, value, expected in (("sales", "销售顾问", "S001", li), ("service_visits", "服务顾问", "钱顾问", qian)):
        content = body(client.get(f"/imports/export/{kind}.csv"))
        table = read_csv(content)
        assert table[1][table[0].index(header)] == value, kind
        _response, job = upload(client, kind, content, name=f"{kind}-export.csv")
        job.refresh_from_db()
        assert (job.status, job.created_rows, job.updated_rows, job.failed_rows) == ("done", 0, 1, 0), job.errors
    assert Sale.objects.get(external_id="SO-1").consultant == li
    assert ServiceVisit.objects.get(external_id="RO-1").advisor == qian
