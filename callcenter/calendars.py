"""Services and selectors of the HQ setup pages: working calendars (工作日历, DESIGN §9.1) and follow-up rule writes.

The rule writes live here until callcenter/rules.py takes them; the pages and the API both call them.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.scope import Scope

from .models import CalendarException, FollowUpRule, WorkingCalendar
from .rules import clean_questions, clean_retry
from .working_time import WorkingTime, official_holiday_name, official_years

CALENDAR_FIELDS = ["time_zone", "work_start", "lunch_start", "lunch_end", "work_end", "calls_from", "calls_until",
                   "official_holidays"]
RULE_FIELDS = ["code", "name", "trigger", "offset_days", "queue", "worked_by", "purpose", "due_window_days",
               "max_attempts", "retry_after_minutes", "priority", "script", "questions", "is_active"]


# Calendars --------------------------------------------------------------------------------------------------------

def tenant_calendar_ensure(*, scope: Scope) -> WorkingCalendar:
    """The tenant's own calendar, created with the defaults when the tenant has none yet (tenants made before it)."""
    found = WorkingCalendar.objects.scoped(scope).filter(dealer__isnull=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return WorkingCalendar.objects.create(tenant_id=scope.tenant_id, dealer=None)
    except IntegrityError:  # created meanwhile by another request
        return WorkingCalendar.objects.scoped(scope).get(dealer__isnull=True)


def _set_hours(calendar: WorkingCalendar, data: dict) -> list[str]:
    changed = []
    for name in CALENDAR_FIELDS:
        if name in data and getattr(calendar, name) != data[name]:
            setattr(calendar, name, data[name])
            changed.append(name)
    return changed


@transaction.atomic
def calendar_update(*, scope: Scope, calendar: WorkingCalendar, data: dict) -> WorkingCalendar:
    """Change a calendar's time zone, hours, calling window or use of the official holidays."""
    changed = _set_hours(calendar, data)
    calendar.full_clean()
    calendar.save()
    audit(scope, "working_calendar.update", calendar, changed=changed)
    return calendar


@transaction.atomic
def dealer_calendar_create(*, scope: Scope, dealer, data: dict | None = None) -> WorkingCalendar:
    """Give a dealer its own calendar, starting from the tenant's hours (its exceptions are its own)."""
    if dealer is None or dealer.tenant_id != scope.tenant_id or not scope.sees_dealer(dealer.pk):
        raise ValidationError({"dealer": [_("Choose a dealer you look after.")]})
    if WorkingCalendar.objects.filter(tenant_id=scope.tenant_id, dealer=dealer).exists():
        raise ValidationError({"dealer": [_("This dealer already has its own calendar.")]})
    base = tenant_calendar_ensure(scope=scope)
    calendar = WorkingCalendar(tenant_id=scope.tenant_id, dealer=dealer,
                               **{name: getattr(base, name) for name in CALENDAR_FIELDS})
    _set_hours(calendar, data or {})
    calendar.full_clean()
    calendar.save()
    audit(scope, "working_calendar.create", calendar, dealer=dealer.pk)
    return calendar


@transaction.atomic
def dealer_calendar_delete(*, scope: Scope, calendar: WorkingCalendar) -> None:
    """Remove a dealer's own calendar (with its exceptions): the dealer follows the tenant's calendar again."""
    if calendar.dealer_id is None:
        raise ValidationError(_("The tenant's calendar cannot be deleted."))
    audit(scope, "working_calendar.delete", calendar, dealer=calendar.dealer_id)
    calendar.delete()


@transaction.atomic
def calendar_exception_add(*, scope: Scope, calendar: WorkingCalendar, day: dt.date, is_working: bool,
                           note: str = "") -> CalendarException:
    """Mark one day as worked or not, whatever the official calendar says (a store's own closing day, say)."""
    exception = CalendarException(tenant_id=calendar.tenant_id, calendar=calendar, day=day, is_working=is_working,
                                  note=(note or "").strip())
    exception.full_clean()
    exception.save()
    audit(scope, "calendar_exception.add", exception, calendar=calendar.pk, day=day.isoformat(),
          is_working=is_working)
    return exception


@transaction.atomic
def calendar_exception_delete(*, scope: Scope, exception: CalendarException) -> None:
    """Remove an exception: the day follows the official calendar (or Monday–Friday) again."""
    audit(scope, "calendar_exception.delete", exception, calendar=exception.calendar_id,
          day=exception.day.isoformat())
    exception.delete()


def calendar_year(calendar: WorkingCalendar, year: int) -> dict:
    """Every day of a year as the calendar sees it, by month and week, with the year's totals."""
    exceptions = {e.day: e for e in CalendarException.objects.filter(calendar=calendar,
                                                                    day__year=year)}
    service = WorkingTime.from_calendar(calendar, {day: e.is_working for day, e in exceptions.items()})
    first, last = official_years()
    known = first <= year <= last
    months, totals = [], {"working": 0, "off": 0, "holiday": 0, "make_up_day": 0, "exception": 0}
    weeks_of = month_calendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = []
        for week in weeks_of.monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                reason = service.day_reason(day)
                working = service.is_working_day(day)
                exception = exceptions.get(day)
                totals["working" if working else "off"] += 1
                if reason in ("holiday", "make_up_day", "exception"):
                    totals[reason] += 1
                cells.append({"day": day, "working": working, "reason": reason,
                              "holiday": official_holiday_name(day) if calendar.official_holidays else "",
                              "note": exception.note if exception else ""})
            weeks.append(cells)
        months.append({"number": month, "first": dt.date(year, month, 1), "weeks": weeks})
    return {"year": year, "months": months, "totals": totals, "known": known, "first": first, "last": last,
            "exceptions": sorted(exceptions.values(), key=lambda e: e.day)}


# Follow-up rules --------------------------------------------------------------------------------------------------

def _rule_values(data: dict) -> dict:
    values = {name: data[name] for name in RULE_FIELDS if name in data}
    errors = {}
    for name, check in (("retry_after_minutes", clean_retry), ("questions", clean_questions)):
        if name in values:
            try:
                values[name] = check(values[name])
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def _check_code_free(scope: Scope, code: str, rule: FollowUpRule | None) -> None:
    taken = FollowUpRule.objects.scoped(scope).filter(code=code)
    if rule is not None and rule.pk:
        taken = taken.exclude(pk=rule.pk)
    if taken.exists():
        raise ValidationError({"code": [_("A rule with this code already exists.")]})


@transaction.atomic
def rule_create(*, scope: Scope, data: dict) -> FollowUpRule:
    """Add a follow-up rule to the tenant (retry spacing and questions checked as on the form)."""
    values = _rule_values(data)
    rule = FollowUpRule(tenant_id=scope.tenant_id, **values)
    _check_code_free(scope, rule.code, None)
    rule.full_clean()
    rule.save()
    audit(scope, "followup_rule.create", rule, code=rule.code)
    return rule


@transaction.atomic
def rule_update(*, scope: Scope, rule: FollowUpRule, data: dict) -> FollowUpRule:
    """Change a follow-up rule; tasks already generated keep their queue, due date and priority."""
    values = _rule_values(data)
    changed = [name for name, value in values.items() if getattr(rule, name) != value]
    for name, value in values.items():
        setattr(rule, name, value)
    if "code" in changed:
        _check_code_free(scope, rule.code, rule)
    rule.full_clean()
    rule.save()
    audit(scope, "followup_rule.update", rule, changed=changed)
    return rule
