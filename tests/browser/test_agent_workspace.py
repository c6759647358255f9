"""In a real headless Chromium: an agent takes the next call, reveals the number, records "no answer", goes on to
the next call, and the first customer comes back once the retry time has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.models import FollowUpTask, WorkingCalendar
from tests.callcenter.queue_world import callable_customer, rules, task
from tests.dealers.factories import TEST_PASSWORD

from ..conftest import build_world
from .conftest import log_in
from .test_walk_in import screenshot


@pytest.mark.django_db(transaction=True)
def test_an_agent_works_the_queue_in_chinese(page, tmp_path):
    world = build_world()
    tenant, a1 = world.tenants["A"], world.dealers["A1"]
    # The live server runs on the real clock: let this tenant call around the clock, today a working day.
    calendar, _ = WorkingCalendar.objects.get_or_create(tenant=tenant, dealer=None)
    calendar.calls_from, calendar.calls_until = dt.time(0, 0), dt.time(23, 59, 59)
    calendar.official_holidays = False
    calendar.save()
    calendar.exceptions.create(tenant=tenant, day=timezone.localdate(), is_working=True)
    by_code = rules(tenant)
    today = timezone.localdate()
    first = task(by_code["delivery"], callable_customer(a1, name="张伟", mobile="+8613911112222"), a1, due_on=today)
    second = task(by_code["service"], callable_customer(a1, name="李娜"), a1, due_on=today)

    log_in(page, "cc_agent", TEST_PASSWORD)
    page.goto(f"{page.base_url}/callcenter/")
    assert "呼叫工作台" in page.content()
    screenshot(page, tmp_path, "workspace")
    page.click("button.primary.big")
    page.wait_for_url(f"**/callcenter/tasks/{first.pk}/")
    assert "张伟您好" in page.content() and "139****2222" in page.content()
    page.click("#reveal")
    page.wait_for_selector("a.tel")
    assert page.get_attribute("a.tel", "href") == "tel:+8613911112222"
    screenshot(page, tmp_path, "call-screen")
    page.keyboard.press("2")  # no answer
    assert page.is_checked("input[value=no_answer]")
    page.fill("textarea[name=notes]", "无人接听")
    page.click("#outcome-form button[type=submit]")
    page.wait_for_url(f"**/callcenter/tasks/{second.pk}/")
    assert "李娜" in page.content()
    first.refresh_from_db()
    assert first.status == "open" and first.attempts == 1 and first.next_attempt_at > timezone.now()

    page.keyboard.press("1")  # reached
    page.click("#outcome-form button[type=submit]")
    page.wait_for_url("**/callcenter/")
    assert "暂无" in page.content() or "没有" in page.content()  # nothing due while the first waits for its retry
    # The retry time passes: the first customer is the next call again.
    FollowUpTask.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=1))
    page.click("button.primary.big")
    page.wait_for_url(f"**/callcenter/tasks/{first.pk}/")
    screenshot(page, tmp_path, "retry")
    assert FollowUpTask.objects.get(pk=second.pk).status == "done"
