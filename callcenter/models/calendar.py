"""The working calendar (工作日历): per tenant, overridable per dealer, with exceptions entered by HQ (DESIGN §9.1)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import TenantOwned
from crm_site.scope import Scope


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as Asia/Shanghai."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Not a known time zone (for example Asia/Shanghai).")) from None


class WorkingCalendar(TenantOwned):
    """Working hours with a lunch break and a calling window; dealer None is the tenant's own calendar."""

    dealer = models.ForeignKey("dealers.Dealer", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("dealer"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai",
                                 validators=[validate_time_zone])
    work_start = models.TimeField(_("work starts"), default=dt.time(9, 0))
    lunch_start = models.TimeField(_("lunch starts"), default=dt.time(12, 0))
    lunch_end = models.TimeField(_("lunch ends"), default=dt.time(13, 30))
    work_end = models.TimeField(_("work ends"), default=dt.time(18, 0))
    calls_from = models.TimeField(_("calls from"), default=dt.time(9, 0),
                                  help_text=_("Customers are called only between these times, on working days."))
    calls_until = models.TimeField(_("calls until"), default=dt.time(20, 0))
    official_holidays = models.BooleanField(
        _("official holidays and make-up days"), default=True,
        help_text=_("Public holidays and make-up working days (调休) from the State Council's calendar."))

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], condition=Q(dealer__isnull=True),
                                    name="calendar_one_per_tenant"),
            models.UniqueConstraint(fields=["dealer"], condition=Q(dealer__isnull=False),
                                    name="calendar_one_per_dealer",
                                    violation_error_message=_("This dealer already has its own calendar.")),
            models.CheckConstraint(
                condition=Q(work_start__lte=models.F("lunch_start")) & Q(lunch_start__lte=models.F("lunch_end"))
                & Q(lunch_end__lte=models.F("work_end")),
                name="calendar_hours_in_order",
                violation_error_message=_("Work start, lunch start, lunch end and work end must be in that order."),
            ),
            models.CheckConstraint(condition=Q(calls_from__lt=models.F("calls_until")),
                                   name="calendar_calling_window_in_order",
                                   violation_error_message=_("The calling window must start before it ends.")),
        ]

    def __str__(self) -> str:
        return str(self.dealer) if self.dealer_id else str(_("Tenant calendar"))

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """The tenant's calendar and the calendars of the dealers the scope sees."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(dealer__isnull=True) | Q(dealer_id__in=scope.dealer_ids)
        return q


class CalendarException(TenantOwned):
    """A day that is worked or not regardless of the official calendar (a store's own closing day, say)."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("day"))
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="calendar_exception_one_per_day",
                                    violation_error_message=_("This day already has an exception.")),
        ]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(calendar__dealer__isnull=True) | Q(calendar__dealer_id__in=scope.dealer_ids)
        return q
