"""Imports keep faith: every row not imported is in the error report with its reason, and the report imports back."""

from __future__ import annotations

import pytest

from tests.helpers import browser
from tests.vehicles.factories import make_vin

from .conftest import body, csv_bytes, read_csv, read_xlsx, xlsx_bytes

EN = {"accept-language": "en"}
ID_NUMBER = "11010519491231002X"


def report_rows(client, job, fmt="csv"):
    content = body(client.get(f"/imports/{job.pk}/errors.{fmt}", headers=EN))
    return read_csv(content) if fmt == "csv" else read_xlsx(content)


def assert_counts_keep_faith(client, job):
    job.refresh_from_db()
    assert job.status == "done"
    assert job.processed_rows == job.created_rows + job.updated_rows + job.failed_rows
    assert job.failed_rows == len(job.errors) == len(report_rows(client, job)) - 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_every_customer_row_not_imported_is_in_the_report_with_its_reason(world, upload, encoding):
    client = browser(world, "dealer_manager")
    rows = [
        ["姓名", "手机", "身份证号", "城市"],
        ["好客户", "13800138010", "", "北京"],
        ["坏手机", "12345", "", "上海"],
        ["坏证件", "", "110105194912310021", "广州"],
        ["两个都坏", "12345", "1101051949", ""],
        ["好证件", "", ID_NUMBER, ""],
    ]
    _response, job = upload(client, "customers", csv_bytes(rows, encoding), headers=EN)
    assert_counts_keep_faith(client, job)
    assert (job.created_rows, job.failed_rows) == (2, 3)
    report = report_rows(client, job)
    assert [line[1] for line in report[1:]] == ["坏手机", "坏证件", "两个都坏"]
    assert all(line[-1] for line in report[1:])


def test_a_service_visit_closed_before_it_opened_is_in_the_report(world, upload):
    client = browser(world, "service_advisor")
    rows = [
        ["工单号", "类型", "进厂时间", "结算时间", "车架号", "姓名", "手机"],
        ["RO1", "保养", "2026-03-01 09:30", "2026-03-01 11:00", make_vin(11), "车主一", "13800138021"],
        ["RO2", "保养", "2026-03-01 09:30", "2026-03-01 08:00", make_vin(12), "车主二", "13800138022"],
    ]
    _response, job = upload(client, "service_visits", csv_bytes(rows), headers=EN)
    assert_counts_keep_faith(client, job)
    assert (job.created_rows, job.failed_rows) == (1, 1)
    assert report_rows(client, job)[1][1] == "RO2"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_corrected_error_report_imports_back_as_it_is(world, upload, fmt):
    client = browser(world, "dealer_manager")
    rows = [["姓名", "手机", "城市"], ["好客户", "13800138010", "北京"], ["坏手机", "12345", "上海"]]
    _response, job = upload(client, "customers", csv_bytes(rows))
    report = report_rows(client, job, fmt)
    assert report[0][0] != "创建时间" and report[0][1:-1] == ["姓名", "手机", "城市"]
    report[1][2] = "13800138013"  # corrected
    content = csv_bytes(report) if fmt == "csv" else xlsx_bytes(report)
    response, again = upload(client, "customers", content, name=f"report.{fmt}")
    assert response.status_code == 302, response.content.decode()
    again.refresh_from_db()
    assert (again.status, again.created_rows, again.failed_rows) == ("done", 1, 0)


def test_the_chinese_report_header_imports_back_too(world, upload):
    client = browser(world, "dealer_manager")
    rows = [["行号", "姓名", "手机", "错误"], ["3", "新客户", "13800138014", "手机: 请输入……"]]
    response, job = upload(client, "customers", csv_bytes(rows))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.created_rows, job.failed_rows) == (1, 0)


def test_new_rows_are_not_labelled_created_at_on_the_progress_page(world, upload):
    client = browser(world, "dealer_manager")
    _response, job = upload(client, "customers", csv_bytes([["姓名", "手机"], ["好客户", "13800138010"]]))
    page = client.get(f"/imports/{job.pk}/progress/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "创建时间" not in page


def test_import_errors_are_shown_in_the_readers_language(world, upload):
    client = browser(world, "dealer_manager")
    rows = [["姓名", "手机"], ["坏手机", "12345"], ["坏证件", ""]]
    _response, job = upload(client, "customers", csv_bytes(rows), headers={"accept-language": "zh-hans"})
    job.refresh_from_db()
    stored = job.errors[0]["errors"]["mobile"][0]
    assert stored["msgid"] == "Enter an 11-digit mainland China mobile number."
    english = client.get(f"/imports/{job.pk}/progress/", headers=EN).content.decode()
    assert "Enter an 11-digit mainland China mobile number." in english
    assert "created, 0 updated, 2 failed." in english
    chinese = client.get(f"/imports/{job.pk}/progress/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "Enter an 11-digit" not in chinese and "failed." not in chinese
    report = read_csv(body(client.get(f"/imports/{job.pk}/errors.csv", headers={"accept-language": "zh-hans"})))
    assert report[0][0] == "行号" and "Enter" not in report[1][-1]


def test_a_message_with_parameters_is_stored_with_them_and_translated_with_them(world, upload):
    client = browser(world, "dealer_manager")
    rows = [["姓名", "手机", "性别", "身份证号"], ["怪性别", "13800138015", "xyz", ""], ["短证件", "", "", "1101051949"]]
    _response, job = upload(client, "customers", csv_bytes(rows))
    job.refresh_from_db()
    assert job.errors[0]["errors"]["gender"] == [{"msgid": "Unknown value “%(value)s”.", "params": {"value": "xyz"}}]
    english = client.get(f"/imports/{job.pk}/progress/", headers=EN).content.decode()
    assert "Unknown value “xyz”." in english and "this one has 10." in english
    chinese = client.get(f"/imports/{job.pk}/progress/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "“xyz”" in chinese and "Unknown value" not in chinese
    assert "this one has" not in chinese  # a service's formatted message is found back and translated


def test_jobs_stored_with_translated_text_stay_readable(world):
    from crm_site.imports.models import ImportJob

    manager = world.principals["dealer_manager"].user
    rows = [["姓名", "手机"], ["坏手机", "12345"]]
    job = ImportJob.objects.create(
        tenant=world.tenants["A"], dealer=world.dealers["A1"], created_by=manager, kind="customers",
        file_name="old.csv", content=csv_bytes(rows), total_rows=1, processed_rows=1, failed_rows=1, status="done",
        message="新建 0 条，更新 0 条，失败 1 条。", errors=[{"row": 2, "errors": {"mobile": ["请输入手机号。"]}}])
    client = browser(world, "dealer_manager")
    page = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "请输入手机号。" in page and "失败 1 条" in page
    assert report_rows(client, job)[1][-1].endswith("请输入手机号。")


def test_a_header_problem_is_stored_untranslated(world):
    from crm_site.imports.models import ImportJob
    from crm_site.imports.tasks import import_run

    manager = world.principals["dealer_manager"].user
    job = ImportJob.objects.create(
        tenant=world.tenants["A"], dealer=world.dealers["A1"], created_by=manager, kind="customers",
        file_name="x.csv", content=csv_bytes([["姓名", "手机", "奇怪", "更奇怪"], ["a", "13800138010", "", ""]]),
        total_rows=1)
    import_run(job.pk, scope=world.principals["dealer_manager"].scope.as_task_args(), language="zh-hans")
    job.refresh_from_db()
    assert job.status == "failed" and job.message_entries[0]["plural"] == "Unknown columns: %(names)s."
    client = browser(world, "dealer_manager")
    assert "Unknown columns: 奇怪, 更奇怪." in client.get(f"/imports/{job.pk}/progress/", headers=EN).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_numbers_stay_numbers_in_the_error_report_and_formulas_are_escaped(world, upload, fmt):
    from tests.vehicles.factories import make_vin as vin

    client = browser(world, "service_advisor")
    rows = [["车架号", "里程", "颜色"], [vin(21), "-5", "=1+1"]]
    _response, job = upload(client, "vehicles", csv_bytes(rows), headers=EN)
    line = report_rows(client, job, fmt)[1]
    assert str(line[2]) == "-5" and line[3] == "'=1+1"


def test_escape_formula_leaves_numbers_and_escapes_formulas():
    from crm_site.imports.spreadsheets import escape_formula

    for number in ("-5", "+8613800138000", "-1,280.50", "-3.5e2", "-12%"):
        assert escape_formula(number) == number
    for formula in ("=1+1", "-1+2", "+A1", "@SUM(A1)", "-cmd", "\t=1"):
        assert escape_formula(formula) == "'" + formula


def test_every_row_not_imported_from_a_workbook_is_in_the_report(world, upload):
    client = browser(world, "dealer_manager")
    rows = [
        ["姓名", "手机", "身份证号"],
        ["好客户", 13800138010, None],
        ["坏手机", 12345, None],
        [None, None, None],
        ["坏证件", None, "110105194912310021"],
        ["好客户", 13800138010, "1101051949"],  # the same person again, with a bad ID number
    ]
    _response, job = upload(client, "customers", xlsx_bytes(rows), name="客户.xlsx", headers=EN)
    assert_counts_keep_faith(client, job)
    assert (job.created_rows, job.failed_rows) == (1, 3)
    assert [line[0] for line in report_rows(client, job, "xlsx")[1:]] == [3, 5, 6]


def test_an_outcome_that_is_neither_created_nor_updated_is_a_failed_row_with_a_reason():
    from django.core.exceptions import ValidationError

    from crm_site.imports.kinds import get_kind
    from crm_site.imports.tasks import row_errors

    kind = get_kind("customers")
    for outcome in (None, "odd", ValidationError({})):
        assert row_errors(kind, outcome) == {"__all__": [{"msgid": "This row was not imported.", "params": {}}]}
