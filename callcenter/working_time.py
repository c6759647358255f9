"""The working-time service (DESIGN §9.1): is this a working moment, add N working hours, the next calling slot.

Official holidays and make-up working days (调休) come from `chinesecalendar`; a year the library does not know yet
falls back to Monday–Friday, and the calendar page says so, so HQ can enter that year's days as exceptions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar

# Search horizon for the next working moment: a calendar whose exceptions close every day ends here, not in a loop.
HORIZON_DAYS = 3660


def official_workday(day: dt.date) -> bool | None:
    """The State Council's answer for a day (holidays and 调休 included), or None for a year the library lacks."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def official_holiday_name(day: dt.date) -> str:
    """The name of the official holiday on this day ("Spring Festival"), or ""."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return name or "" if on_holiday else ""


def official_years() -> tuple[int, int]:
    """The first and last year the holiday library knows."""
    from chinese_calendar import constants

    return min(constants.holidays).year, max(constants.holidays).year


@dataclass(frozen=True)
class WorkingTime:
    """One calendar, ready to answer questions about moments (aware datetimes) and days (in its own time zone)."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    work_start: dt.time = dt.time(9, 0)
    lunch_start: dt.time = dt.time(12, 0)
    lunch_end: dt.time = dt.time(13, 30)
    work_end: dt.time = dt.time(18, 0)
    calls_from: dt.time = dt.time(9, 0)
    calls_until: dt.time = dt.time(20, 0)
    official: bool = True
    exceptions: dict = field(default_factory=dict)  # {date: is_working}

    @classmethod
    def from_calendar(cls, calendar, exceptions: dict) -> WorkingTime:
        """The service for a stored WorkingCalendar and its exceptions ({day: is_working})."""
        return cls(
            tz=ZoneInfo(calendar.time_zone), work_start=calendar.work_start, lunch_start=calendar.lunch_start,
            lunch_end=calendar.lunch_end, work_end=calendar.work_end, calls_from=calendar.calls_from,
            calls_until=calendar.calls_until, official=calendar.official_holidays, exceptions=dict(exceptions),
        )

    # Days -----------------------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        """Exceptions first, then the official calendar (with make-up Saturdays and Sundays), then Monday–Friday."""
        if day in self.exceptions:
            return bool(self.exceptions[day])
        if self.official:
            answer = official_workday(day)
            if answer is not None:
                return answer
        return day.weekday() < 5

    def day_reason(self, day: dt.date) -> str:
        """Why a day is (not) worked, in a few words for the calendar page."""
        if day in self.exceptions:
            return "exception"
        if self.official:
            answer = official_workday(day)
            if answer is None:
                return "weekday_rule"
            if answer and day.weekday() >= 5:
                return "make_up_day"
            if not answer and day.weekday() < 5:
                return "holiday"
        return "weekend" if day.weekday() >= 5 else "working"

    def local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of a day (morning and afternoon), empty on a day off."""
        if not self.is_working_day(day):
            return []
        spans = [(self.work_start, self.lunch_start), (self.lunch_end, self.work_end)]
        return [(self._at(day, a), self._at(day, b)) for a, b in spans if a < b]

    # Moments --------------------------------------------------------------------------------------------------

    def is_working_moment(self, moment: dt.datetime) -> bool:
        """Inside working hours (not at lunch) of a working day."""
        return any(a <= moment < b for a, b in self.periods(self.local_day(moment)))

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The moment `amount` of working time after `start` (a start outside hours counts from the next period)."""
        remaining = amount
        day = self.local_day(start)
        for _ in range(HORIZON_DAYS):
            for a, b in self.periods(day):
                if b <= start:
                    continue
                begin = max(a, start)
                if begin + remaining <= b:
                    return begin + remaining
                remaining -= b - begin
            day += dt.timedelta(days=1)
        raise ValueError("No working time within ten years: check the calendar's exceptions.")

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.add_working_time(start, dt.timedelta(hours=hours))

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from `start` to `end` (zero when end is not after start)."""
        total = dt.timedelta()
        if end <= start:
            return total
        day, last = self.local_day(start), self.local_day(end)
        while day <= last:
            for a, b in self.periods(day):
                lo, hi = max(a, start), min(b, end)
                if lo < hi:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total

    def in_calling_window(self, moment: dt.datetime) -> bool:
        """A working day, between the calling window's start and end."""
        local = moment.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.calls_from <= local.time() < self.calls_until

    def next_calling_slot(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself when customers may be called then, else the start of the next calling window."""
        if self.in_calling_window(moment):
            return moment
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time() < self.calls_from and self.is_working_day(day):
            return self._at(day, self.calls_from)
        for _ in range(HORIZON_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return self._at(day, self.calls_from)
        raise ValueError("No working day within ten years: check the calendar's exceptions.")

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """`moment` when it is inside working hours, else the start of the next working period."""
        return self.add_working_time(moment, dt.timedelta())


def calendar_for(tenant_id: int, dealer_id: int | None = None) -> WorkingTime:
    """The dealer's own calendar if it has one, else the tenant's, else the defaults (Asia/Shanghai, 9–18)."""
    from .models import CalendarException, WorkingCalendar

    rows = {c.dealer_id: c for c in WorkingCalendar._base_manager.filter(tenant_id=tenant_id).filter(
        dealer_id__isnull=True) | WorkingCalendar._base_manager.filter(tenant_id=tenant_id, dealer_id=dealer_id)}
    calendar = rows.get(dealer_id) if dealer_id is not None else None
    calendar = calendar or rows.get(None)
    if calendar is None:
        return WorkingTime()
    exceptions = dict(CalendarException._base_manager.filter(calendar=calendar).values_list("day", "is_working"))
    return WorkingTime.from_calendar(calendar, exceptions)
