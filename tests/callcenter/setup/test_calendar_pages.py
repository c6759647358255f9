"""The working-calendar pages: HQ administrators keep the tenant's and the dealers' calendars, HQ readers look."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.models import CalendarException, WorkingCalendar
from callcenter.working_time import calendar_for, official_years
from crm_site.models import AuditEvent
from tests.callcenter.factories import CalendarExceptionFactory, WorkingCalendarFactory
from tests.helpers import EVERY_ROLE, browser

HOME = "/callcenter/calendar/"
NEW_DEALER = "/callcenter/calendar/dealers/new/"
READERS = {"oem_admin", "oem_analyst", "cc_supervisor"}  # CALENDAR_EDIT or RULE_VIEW
EDITORS = {"oem_admin"}  # CALENDAR_EDIT


def hours(**overrides) -> dict:
    data = {"time_zone": "Asia/Shanghai", "work_start": "08:30", "lunch_start": "12:00", "lunch_end": "13:00",
            "work_end": "17:30", "calls_from": "09:00", "calls_until": "20:00", "official_holidays": "on"}
    return data | overrides


@pytest.fixture
def tenant_calendar(world):
    return WorkingCalendarFactory(tenant=world.tenants["A"])


@pytest.fixture
def a2_calendar(world):
    return WorkingCalendarFactory(tenant=world.tenants["A"], dealer=world.dealers["A2"])


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_readers_see_the_calendar_and_only_admins_change_it(world, tenant_calendar, name):
    client = browser(world, name)
    page = client.get(HOME)
    assert page.status_code == (200 if name in READERS else 403)
    editor = name in EDITORS
    if page.status_code == 200:
        assert page.context["may_edit"] == editor
        assert all(f.disabled for f in page.context["form"].fields.values()) == (not editor)
    detail = f"/callcenter/calendar/{tenant_calendar.pk}/"
    assert client.get(detail).status_code == (200 if name in READERS else 403)
    assert client.post(detail, hours()).status_code == (302 if editor else 403)
    assert client.get(NEW_DEALER).status_code == (200 if editor else 403)
    exception = CalendarExceptionFactory(calendar=tenant_calendar, day=dt.date(2026, 5, 6))
    assert client.post(f"/callcenter/calendar/{tenant_calendar.pk}/exceptions/",
                       {"day": "2026-05-07", "is_working": "0"}).status_code == (302 if editor else 403)
    assert client.post(f"/callcenter/calendar/exceptions/{exception.pk}/delete/").status_code == (
        302 if editor else 403)


def test_the_tenant_calendar_is_created_when_missing(world):
    assert browser(world, "oem_analyst").get(HOME).status_code == 200
    calendar = WorkingCalendar.objects.get(tenant=world.tenants["A"], dealer__isnull=True)
    assert calendar.time_zone == "Asia/Shanghai"


def test_admin_changes_the_hours_and_it_is_audited(world, tenant_calendar):
    client = browser(world, "oem_admin")
    response = client.post(f"/callcenter/calendar/{tenant_calendar.pk}/", hours(official_holidays=""))
    assert response.status_code == 302 and response["Location"] == HOME
    tenant_calendar.refresh_from_db()
    assert tenant_calendar.work_start == dt.time(8, 30) and not tenant_calendar.official_holidays
    event = AuditEvent.objects.get(action="working_calendar.update")
    assert set(event.detail["changed"]) == {"work_start", "lunch_end", "work_end", "official_holidays"}
    assert calendar_for(world.tenants["A"].pk).work_start == dt.time(8, 30)


def test_hours_out_of_order_are_a_form_error_that_keeps_the_input(world, tenant_calendar):
    client = browser(world, "oem_admin")
    response = client.post(f"/callcenter/calendar/{tenant_calendar.pk}/",
                           hours(lunch_start="19:00", time_zone="Asia/Shanghai"))
    assert response.status_code == 200
    assert "must be in that order" in response.content.decode()
    assert 'value="19:00"' in response.content.decode()
    bad_zone = client.post(f"/callcenter/calendar/{tenant_calendar.pk}/", hours(time_zone="Mars/Olympus"))
    assert bad_zone.status_code == 200 and "time_zone" in bad_zone.context["form"].errors
    assert "Mars/Olympus" in bad_zone.content.decode()
    window = client.post(f"/callcenter/calendar/{tenant_calendar.pk}/", hours(calls_from="21:00"))
    assert window.status_code == 200 and "calling window" in window.content.decode()
    tenant_calendar.refresh_from_db()
    assert tenant_calendar.work_start == dt.time(9)


def test_dealer_choices_are_the_tenants_dealers_without_a_calendar(world, tenant_calendar, a2_calendar):
    page = browser(world, "oem_admin").get(NEW_DEALER)
    choices = list(page.context["form"].fields["dealer"].queryset)
    assert choices == [world.dealers["A1"]]


def test_admin_gives_a_dealer_its_own_calendar_and_deletes_it(world, tenant_calendar):
    client = browser(world, "oem_admin")
    a1 = world.dealers["A1"]
    response = client.post(NEW_DEALER, hours(dealer=a1.pk, work_start="10:00"))
    assert response.status_code == 302
    own = WorkingCalendar.objects.get(dealer=a1)
    assert response["Location"] == f"/callcenter/calendar/{own.pk}/"
    assert own.tenant == world.tenants["A"] and own.work_start == dt.time(10)
    assert calendar_for(world.tenants["A"].pk, a1.pk).work_start == dt.time(10)
    page = client.get(f"/callcenter/calendar/{own.pk}/")
    assert page.status_code == 200 and a1.name in page.content.decode()
    # The same dealer again, or another tenant's dealer, is a form error.
    again = client.post(NEW_DEALER, hours(dealer=a1.pk))
    assert again.status_code == 200 and "dealer" in again.context["form"].errors
    foreign = client.post(NEW_DEALER, hours(dealer=world.dealers["B1"].pk))
    assert foreign.status_code == 200 and "dealer" in foreign.context["form"].errors
    assert client.post(f"/callcenter/calendar/{own.pk}/delete/").status_code == 302
    assert not WorkingCalendar.objects.filter(dealer=a1).exists()
    assert AuditEvent.objects.filter(action__in=["working_calendar.create", "working_calendar.delete"]).count() == 2


def test_the_tenant_calendar_cannot_be_deleted(world, tenant_calendar):
    assert browser(world, "oem_admin").post(f"/callcenter/calendar/{tenant_calendar.pk}/delete/").status_code == 403
    assert WorkingCalendar.objects.filter(pk=tenant_calendar.pk).exists()


def test_another_tenants_calendar_and_exception_answer_404(world):
    foreign = WorkingCalendarFactory(tenant=world.tenants["B"])
    foreign_exception = CalendarExceptionFactory(calendar=foreign)
    client = browser(world, "oem_admin")
    assert client.get(f"/callcenter/calendar/{foreign.pk}/").status_code == 404
    assert client.post(f"/callcenter/calendar/{foreign.pk}/", hours()).status_code == 404
    assert client.post(f"/callcenter/calendar/{foreign.pk}/delete/").status_code == 404
    assert client.post(f"/callcenter/calendar/{foreign.pk}/exceptions/", {"day": "2026-05-07",
                                                                         "is_working": "0"}).status_code == 404
    assert client.post(f"/callcenter/calendar/exceptions/{foreign_exception.pk}/delete/").status_code == 404
    assert CalendarException.objects.filter(pk=foreign_exception.pk).exists()


@pytest.mark.parametrize("name", ["region_manager", "dealer_manager", "service_advisor"])
def test_another_dealers_own_calendar_answers_404_to_dealer_bound_staff(world, a2_calendar, name):
    client = browser(world, name)
    exception = CalendarExceptionFactory(calendar=a2_calendar)
    assert client.get(f"/callcenter/calendar/{a2_calendar.pk}/").status_code == 404
    assert client.post(f"/callcenter/calendar/{a2_calendar.pk}/delete/").status_code == 404
    assert client.post(f"/callcenter/calendar/exceptions/{exception.pk}/delete/").status_code == 404
    # Their own dealer's calendar is in scope, but not theirs to see: 403.
    own = WorkingCalendarFactory(tenant=world.tenants["A"], dealer=world.dealers["A1"])
    assert client.get(f"/callcenter/calendar/{own.pk}/").status_code == 403


def test_exceptions_are_added_and_deleted(world, tenant_calendar):
    client = browser(world, "oem_admin")
    url = f"/callcenter/calendar/{tenant_calendar.pk}/exceptions/"
    response = client.post(url, {"day": "2026-02-16", "is_working": "1", "note": "春节值班"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026#exceptions")
    exception = CalendarException.objects.get(calendar=tenant_calendar)
    assert exception.is_working and exception.note == "春节值班" and exception.tenant == world.tenants["A"]
    assert calendar_for(world.tenants["A"].pk).is_working_day(dt.date(2026, 2, 16))
    duplicate = client.post(url, {"day": "2026-02-16", "is_working": "0", "note": "再来一次"})
    assert duplicate.status_code == 200
    assert "already has an exception" in duplicate.content.decode()
    assert "再来一次" in duplicate.content.decode()
    missing = client.post(url, {"day": "", "is_working": ""})
    assert missing.status_code == 200 and {"day", "is_working"} <= set(missing.context["exception_form"].errors)
    delete = client.post(f"/callcenter/calendar/exceptions/{exception.pk}/delete/")
    assert delete.status_code == 302
    assert not CalendarException.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="calendar_exception.").count() == 2


def cell(page, day: str) -> str:
    """The year view's cell of a day (its reason attribute)."""
    html = page.content.decode()
    start = html.index(f'data-day="{day}"')
    return html[start:html.index(">", start)]


def test_the_year_view_shows_holidays_make_up_days_weekends_and_exceptions(world, tenant_calendar):
    CalendarExceptionFactory(calendar=tenant_calendar, day=dt.date(2026, 3, 2), is_working=False, note="盘点")
    page = browser(world, "oem_analyst").get(HOME, {"year": 2026})
    assert page.status_code == 200
    assert 'data-reason="holiday"' in cell(page, "2026-02-16")
    assert 'data-reason="make_up_day"' in cell(page, "2026-02-14")
    assert 'data-reason="make_up_day"' in cell(page, "2026-02-28")
    assert 'data-reason="weekend"' in cell(page, "2026-03-01")
    assert 'data-reason="working"' in cell(page, "2026-03-03")
    assert 'data-reason="exception"' in cell(page, "2026-03-02")
    totals = page.context["year_view"]["totals"]
    assert totals["exception"] == 1 and totals["working"] + totals["off"] == 365
    assert "盘点" in page.content.decode()
    assert "not known yet" not in page.content.decode()


def test_a_year_the_library_does_not_know_says_so(world, tenant_calendar):
    year = official_years()[1] + 1
    page = browser(world, "oem_admin").get(HOME, {"year": year})
    html = page.content.decode()
    assert "not known yet" in html and "enter the official holidays" in html
    assert not page.context["year_view"]["known"]


def test_a_dealers_calendar_shows_its_own_exceptions(world, tenant_calendar, a2_calendar):
    CalendarExceptionFactory(calendar=tenant_calendar, day=dt.date(2026, 4, 1), note="总部培训")
    CalendarExceptionFactory(calendar=a2_calendar, day=dt.date(2026, 4, 2), note="门店盘点")
    html = browser(world, "oem_admin").get(f"/callcenter/calendar/{a2_calendar.pk}/", {"year": 2026}).content.decode()
    assert "门店盘点" in html and "总部培训" not in html


def test_a_bad_year_falls_back_to_this_year(world, tenant_calendar):
    page = browser(world, "oem_admin").get(HOME, {"year": "99999999999"})
    assert page.status_code == 200 and page.context["year"] == timezone.localdate().year
