"""In a real headless Chromium: an analyst builds a campaign from one dealer's lapsed customers (worked by the
dealer), watches the preview follow the criteria, launches it, and the dealer's staff find the tasks in their
follow-up queue with the campaign's script in the call screen. Screenshots go to $SCREENSHOT_DIR (or the test's
folder), e.g. SCREENSHOT_DIR=/tmp/shots."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from callcenter.models import FollowUpTask, WorkingCalendar
from retention.campaigns.models import Campaign
from tests.browser.conftest import log_in
from tests.conftest import build_world
from tests.dealers.factories import TEST_PASSWORD
from tests.retention.campaign_helpers import lapsed_car
from tests.retention.helpers import build


def shot(tab, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(folder / f"camp-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_analyst_launches_a_dealer_campaign_and_the_dealer_finds_the_tasks(page, tmp_path):
    world = build_world()
    tenant, a1 = world.tenants["A"], world.dealers["A1"]
    today = timezone.localdate()
    # The live server runs on the real clock: the snapshot is today's, the cars lapsed 16 months ago.
    for _n in range(5):
        car = lapsed_car(a1)
        car.delivered_on = today - dt.timedelta(days=490)
        car.save()
    dnc = lapsed_car(a1, do_not_call=True)
    dnc.delivered_on = today - dt.timedelta(days=490)
    dnc.save()
    other = lapsed_car(world.dealers["A2"])
    other.delivered_on = today - dt.timedelta(days=490)
    other.save()
    build(a1, today)
    calendar, _created = WorkingCalendar.objects.get_or_create(tenant=tenant, dealer=None)
    calendar.calls_from, calendar.calls_until = dt.time(0, 0), dt.time(23, 59, 59)
    calendar.official_holidays = False
    calendar.save()
    calendar.exceptions.create(tenant=tenant, day=today, is_working=True)

    log_in(page, "oem_analyst", TEST_PASSWORD)
    page.goto(f"{page.base_url}/retention/campaigns/")
    page.click("#new-campaign")
    page.wait_for_url("**/retention/campaigns/new/")
    page.fill("input[name=name]", "A1 流失客户召回")
    with page.expect_response("**/retention/campaigns/preview/"):
        page.select_option("select[name=dealer]", str(a1.pk))
    page.wait_for_function("document.querySelector('#preview-segment').textContent.trim() === '6'")
    with page.expect_response("**/retention/campaigns/preview/"):
        page.fill("input[name=control_share]", "20")
        page.locator("input[name=control_share]").dispatch_event("change")
    page.wait_for_function("document.querySelector('#preview-called').textContent.trim() === '4'")
    assert page.locator("#preview-control").inner_text().strip() == "1"
    assert page.locator("select[name=worked_by]").input_value() == "dealer"
    shot(page, tmp_path, "new")
    page.click("#save-campaign")
    campaign = Campaign.objects.get(name="A1 流失客户召回")
    page.wait_for_url(f"**/retention/campaigns/{campaign.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#launch")
    page.wait_for_selector("#results")
    page.wait_for_selector("[data-campaign-chart] svg")  # ECharts drew the chart from our own static files
    assert page.locator("#too-early").is_visible()
    assert page.locator('#results tr[data-key="members"] td').first.inner_text() == "4"
    shot(page, tmp_path, "results")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("[data-campaign-chart] svg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(page, tmp_path, "results-phone")
    page.goto(f"{page.base_url}/retention/campaigns/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(page, tmp_path, "new-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    tasks = FollowUpTask.objects.filter(campaign_id=campaign.pk)
    assert tasks.count() == 4 and set(tasks.values_list("worked_by", flat=True)) == {"dealer"}
    page.context.clear_cookies()
    log_in(page, "sales_consultant", TEST_PASSWORD)  # a member of A1's staff
    page.goto(f"{page.base_url}/callcenter/")
    queue = f"campaign-{campaign.pk}"
    row = page.locator("table.grid tbody tr", has_text=queue)
    assert row.locator("td").nth(1).inner_text() == "4"  # due now
    shot(page, tmp_path, "dealer-queue")
    page.goto(f"{page.base_url}/callcenter/followups/?queue={queue}")
    assert page.locator("table tbody tr").count() == 4
    page.goto(f"{page.base_url}/callcenter/")
    page.select_option("#queue", queue)
    page.click("button.primary.big")
    page.wait_for_url("**/callcenter/tasks/**")
    held = tasks.select_related("customer", "rule").get(status="claimed")
    script = page.locator("blockquote.script").inner_text()
    assert held.rule.script == campaign.script and held.customer.name in script  # the campaign's script, filled in
    shot(page, tmp_path, "dealer-call")
