"""The working-time service (DESIGN §9.1): official holidays and make-up days (调休), lunch, calling windows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from callcenter.working_time import WorkingTime, calendar_for, official_holiday_name, official_years
from tests.callcenter.factories import CalendarExceptionFactory, WorkingCalendarFactory

SH = ZoneInfo("Asia/Shanghai")
WT = WorkingTime()  # Asia/Shanghai, 9:00–12:00 and 13:30–18:00 (7.5 h a day), calls 9:00–20:00, official holidays


def at(y: int, m: int, d: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


# Spring Festival 2026: off Sunday 15 – Monday 23 February; Saturdays 14 and 28 February are worked (调休).
SPRING_OFF = [dt.date(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)]


@pytest.mark.parametrize("day", SPRING_OFF)
def test_spring_festival_2026_days_are_off(day):
    assert not WT.is_working_day(day)
    assert official_holiday_name(day) == "Spring Festival"


@pytest.mark.parametrize("day", [dt.date(2026, 2, 14), dt.date(2026, 2, 28)])
def test_spring_festival_make_up_saturdays_are_worked(day):
    assert day.weekday() == 5
    assert WT.is_working_day(day)
    assert WT.day_reason(day) == "make_up_day"


def test_days_around_spring_festival_keep_their_weekday_rule():
    assert WT.is_working_day(dt.date(2026, 2, 13))  # Friday before
    assert WT.is_working_day(dt.date(2026, 2, 24))  # Tuesday after
    assert WT.day_reason(dt.date(2026, 2, 16)) == "holiday"  # a Monday off
    assert not WT.is_working_day(dt.date(2026, 3, 1))  # an ordinary Sunday
    assert WT.day_reason(dt.date(2026, 3, 1)) == "weekend"


def test_national_day_2026_with_its_make_up_days():
    for n in range(7):
        assert not WT.is_working_day(dt.date(2026, 10, 1) + dt.timedelta(days=n))
    assert WT.is_working_day(dt.date(2026, 9, 20))  # Sunday worked
    assert WT.is_working_day(dt.date(2026, 10, 10))  # Saturday worked
    assert not WT.is_working_day(dt.date(2026, 10, 11))
    assert WT.is_working_day(dt.date(2026, 10, 8))
    assert WT.day_reason(dt.date(2026, 10, 5)) == "holiday"
    assert WT.day_reason(dt.date(2026, 9, 20)) == "make_up_day"


def test_lunch_break_is_not_working_time():
    assert WT.is_working_moment(at(2026, 2, 24, 11, 59))
    assert not WT.is_working_moment(at(2026, 2, 24, 12, 0))
    assert not WT.is_working_moment(at(2026, 2, 24, 12, 45))
    assert WT.is_working_moment(at(2026, 2, 24, 13, 30))
    assert not WT.is_working_moment(at(2026, 2, 24, 18, 0))
    # 11:30 + 1 h: half an hour before lunch, half an hour after it.
    assert WT.add_working_hours(at(2026, 2, 24, 11, 30), 1) == at(2026, 2, 24, 14, 0)
    assert WT.working_time_between(at(2026, 2, 24, 11, 0), at(2026, 2, 24, 14, 0)) == dt.timedelta(hours=1.5)


def test_a_moment_at_lunch_counts_from_lunch_end():
    assert WT.next_working_moment(at(2026, 2, 24, 12, 30)) == at(2026, 2, 24, 13, 30)
    assert WT.add_working_hours(at(2026, 2, 24, 12, 30), 2) == at(2026, 2, 24, 15, 30)


def test_add_working_hours_uses_the_make_up_saturday():
    # Friday 13 Feb 16:00: 2 h left that day, then Saturday 14 (worked): 3 h morning, 3 of the afternoon.
    assert WT.add_working_hours(at(2026, 2, 13, 16), 8) == at(2026, 2, 14, 16, 30)


def test_add_working_hours_jumps_the_spring_festival():
    # Friday 2 h + Saturday 7.5 h = 9.5 h; the holiday 15–23 Feb adds nothing; Tuesday 24 Feb 9:00 + 2.5 h.
    assert WT.add_working_hours(at(2026, 2, 13, 16), 12) == at(2026, 2, 24, 11, 30)


def test_working_time_between_counts_only_working_periods():
    assert WT.working_time_between(at(2026, 2, 13, 9), at(2026, 2, 24, 9)) == dt.timedelta(hours=15)
    assert WT.working_time_between(at(2026, 2, 24, 9), at(2026, 2, 13, 9)) == dt.timedelta()
    # Over National Day: Wednesday 30 Sep afternoon 4.5 h, then Thursday 8 Oct morning 3 h.
    assert WT.working_time_between(at(2026, 9, 30, 13, 30), at(2026, 10, 8, 12)) == dt.timedelta(hours=7.5)


def test_next_calling_slot_on_a_holiday_is_the_next_working_morning():
    assert WT.next_calling_slot(at(2026, 2, 16, 10)) == at(2026, 2, 24, 9)
    assert WT.next_calling_slot(at(2026, 9, 30, 20, 30)) == at(2026, 10, 8, 9)


def test_next_calling_slot_after_hours_may_be_a_make_up_saturday():
    assert WT.next_calling_slot(at(2026, 2, 13, 21)) == at(2026, 2, 14, 9)
    assert WT.next_calling_slot(at(2026, 10, 9, 20)) == at(2026, 10, 10, 9)  # the window ends at 20:00


def test_next_calling_slot_before_hours_and_inside_the_window():
    assert WT.next_calling_slot(at(2026, 2, 24, 7, 30)) == at(2026, 2, 24, 9)
    inside = at(2026, 2, 24, 19)  # after working hours, still inside the calling window
    assert WT.in_calling_window(inside)
    assert WT.next_calling_slot(inside) == inside


def test_moments_in_another_zone_are_read_in_the_calendar_zone():
    utc = dt.datetime(2026, 2, 24, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    assert WT.is_working_moment(utc)
    assert not WT.is_working_moment(utc - dt.timedelta(minutes=1))


def test_exceptions_override_the_official_calendar():
    service = WorkingTime(exceptions={dt.date(2026, 2, 16): True, dt.date(2026, 2, 24): False})
    assert service.is_working_day(dt.date(2026, 2, 16))
    assert service.day_reason(dt.date(2026, 2, 16)) == "exception"
    assert not service.is_working_day(dt.date(2026, 2, 24))
    assert service.add_working_hours(at(2026, 2, 16, 8), 1) == at(2026, 2, 16, 10)
    assert service.next_calling_slot(at(2026, 2, 23, 21)) == at(2026, 2, 25, 9)


def test_a_year_outside_the_library_falls_back_to_monday_to_friday():
    year = official_years()[1] + 1
    first_monday = next(dt.date(year, 1, d) for d in range(1, 8) if dt.date(year, 1, d).weekday() == 0)
    saturday = first_monday + dt.timedelta(days=5)
    assert WT.is_working_day(first_monday) and not WT.is_working_day(saturday)
    assert WT.day_reason(first_monday) == "weekday_rule"
    assert official_holiday_name(first_monday) == ""
    start = dt.datetime.combine(first_monday - dt.timedelta(days=3), dt.time(17), tzinfo=SH)  # a Friday
    assert WT.add_working_hours(start, 2) == dt.datetime.combine(first_monday, dt.time(10), tzinfo=SH)


def test_official_holidays_switched_off_means_monday_to_friday():
    plain = WorkingTime(official=False)
    assert plain.is_working_day(dt.date(2026, 2, 16))
    assert not plain.is_working_day(dt.date(2026, 2, 14))
    assert plain.day_reason(dt.date(2026, 2, 14)) == "weekend"


def test_a_calendar_with_every_day_closed_raises_value_error():
    start = dt.date(2026, 1, 1)
    closed = WorkingTime(exceptions={start + dt.timedelta(days=n): False for n in range(3700)})
    with pytest.raises(ValueError):
        closed.add_working_hours(at(2026, 1, 1, 9), 1)
    with pytest.raises(ValueError):
        closed.next_calling_slot(at(2026, 1, 1, 9))
    no_hours = WorkingTime(work_start=dt.time(9), lunch_start=dt.time(9), lunch_end=dt.time(9), work_end=dt.time(9))
    with pytest.raises(ValueError):
        no_hours.add_working_hours(at(2026, 1, 5, 9), 1)


def test_calendar_for_prefers_the_dealers_own_calendar(world):
    tenant, a1, a2 = world.tenants["A"], world.dealers["A1"], world.dealers["A2"]
    own = WorkingCalendarFactory(tenant=tenant, dealer=a1, work_start=dt.time(8), lunch_start=dt.time(12),
                                 lunch_end=dt.time(13), work_end=dt.time(17))
    WorkingCalendarFactory(tenant=tenant, time_zone="Asia/Urumqi")
    CalendarExceptionFactory(calendar=own, day=dt.date(2026, 2, 16), is_working=True)
    store = calendar_for(tenant.pk, a1.pk)
    assert store.work_start == dt.time(8) and store.is_working_day(dt.date(2026, 2, 16))
    other = calendar_for(tenant.pk, a2.pk)
    assert other.tz == ZoneInfo("Asia/Urumqi") and not other.is_working_day(dt.date(2026, 2, 16))
    assert calendar_for(world.tenants["B"].pk, None) == WorkingTime()
