"""In a real headless Chromium: an agent opens a complaint from a hotline call, the store acknowledges it, the customer
rejects the fix and the complaint reopens with new due times."""

from __future__ import annotations

import pytest
from django.utils import timezone

from callcenter.models import Complaint, ComplaintStatus
from tests.customers.factories import CustomerFactory
from tests.dealers.factories import TEST_PASSWORD

from ..conftest import build_world
from .conftest import log_in
from .test_walk_in import screenshot


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, TEST_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_complaint_opened_acknowledged_rejected_and_reopened(page, tmp_path):
    world = build_world()
    a1 = world.dealers["A1"]
    customer = CustomerFactory(dealer=a1, name="欧阳娜娜", mobile="+8613655556666")

    # The agent takes the hotline call: finds the caller by mobile, logs the call, and opens a complaint from it.
    log_in(page, "cc_agent", TEST_PASSWORD)
    page.goto(f"{page.base_url}/callcenter/hotline/")
    page.fill("input[name=q]", "13655556666")
    page.click("form.search button[type=submit]")
    page.click(f"a[href*='customer={customer.pk}']")
    page.select_option("select[name=category]", "complaint")
    page.select_option("select[name=dealer]", str(a1.pk))
    page.fill("textarea[name=notes]", "保养后发动机故障灯常亮，客户很不满意")
    page.click("form.form button[type=submit].primary")
    page.wait_for_url("**/callcenter/calls/*/")
    page.click("a[href*='&call=']")
    page.wait_for_url("**/callcenter/complaints/new/**")
    assert page.input_value("textarea[name=description]") == "保养后发动机故障灯常亮，客户很不满意"
    page.select_option("select[name=severity]", "high")
    page.click("#complaint-form button[type=submit].primary")
    page.wait_for_url("**/callcenter/complaints/*/")
    complaint = Complaint.objects.get(customer=customer)
    assert complaint.number in page.locator("h1").inner_text()
    assert complaint.calls.get().category == "complaint" and complaint.channel == "hotline"
    first_due = complaint.resolution_due

    # The dealer manager acknowledges it (first contact) and proposes a resolution.
    switch_user(page, "dealer_manager")
    page.goto(f"{page.base_url}/callcenter/complaints/{complaint.pk}/")
    page.fill("#complaint-actions textarea[name=note]", "已致电客户，约定明天到店")
    page.click("button[value=acknowledge]")
    page.wait_for_selector("[data-status=acknowledged]")
    page.fill("#complaint-actions textarea[name=resolution]", "更换氧传感器，免工时费")
    page.click("button[value=resolve]")
    page.wait_for_selector("[data-status=resolved]")

    # The agent's confirmation call: the customer rejects it, so it reopens with new due times.
    switch_user(page, "cc_agent")
    page.goto(f"{page.base_url}/callcenter/complaints/{complaint.pk}/")
    page.fill("#confirm-form textarea[name=note]", "故障灯仍然亮")
    page.click("#confirm-form button[name=accepted][value=false]")
    page.wait_for_selector("[data-status=reopened]")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REOPENED and complaint.reopen_count == 1
    assert complaint.resolution_due > first_due
    shown = timezone.localtime(complaint.resolution_due).strftime("%m-%d %H:%M")
    assert shown in page.locator("#due-resolution").inner_text()
    assert page.locator("#complaint-timeline li[data-kind=reopened]").count() == 1
    screenshot(page, tmp_path, "complaint-reopened")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, tmp_path, "complaint-reopened-phone")
