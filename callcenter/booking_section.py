"""The call screen's "book a service visit": a follow-up that asks a customer back can book them in the same call.

A call section (crm_site.plugins.CallSection) of the call center itself, saved with the outcome in one transaction:
the booking goes to the task's dealer, linked to the call, as a hotline booking does (the store confirms it).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.plugins import CallSection

from .choices import Outcome, Purpose, Trigger

PREFIX = "booking-"
# The follow-ups whose point is a visit: maintenance reminders, lapsed cars and win-back campaigns.
BOOKING_TRIGGERS = {Trigger.FIRST_MAINTENANCE_DUE, Trigger.MAINTENANCE_DUE, Trigger.LAPSED, Trigger.CAMPAIGN}


def _applies(task) -> bool:
    # Survey calls are campaign-triggered too, but a survey is not an invitation to come in.
    return task.rule.trigger in BOOKING_TRIGGERS and task.rule.purpose != Purpose.SURVEY


def _context(scope, task, data, errors) -> dict:
    data, errors = data or {}, errors or {}
    return {"prefix": PREFIX, "wanted_on": data.get(PREFIX + "wanted_on", ""), "notes": data.get(PREFIX + "notes", ""),
            "today": timezone.localdate().isoformat(), "errors": errors,
            "general_errors": [*errors.get("__all__", []), *errors.get("customer", []), *errors.get("dealer", [])]}


def _save(scope, task, data, outcome) -> None:
    """Book the visit when a day is given; only a reached customer can be booked."""
    from .calls import call_book_service
    from .models import Call

    raw = (data.get(PREFIX + "wanted_on") or "").strip()
    if not raw:
        return
    try:
        wanted_on = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"wanted_on": [_("Enter a date as YYYY-MM-DD.")]}) from None
    if outcome != Outcome.REACHED:
        raise ValidationError({"wanted_on": [_("Only a customer who was reached can be booked: choose Reached, or "
                                               "clear the day.")]})
    call = Call.objects.filter(follow_up=task).order_by("-started_at", "-pk").first()
    if call is None:  # the outcome saved no call (nothing to link the booking to): say so rather than fail
        raise ValidationError({"wanted_on": [_("The call was not recorded, so no booking can be linked to it.")]})
    call_book_service(scope=scope, call=call, dealer_id=task.dealer_id, wanted_on=wanted_on,
                      notes=(data.get(PREFIX + "notes") or "").strip(), vehicle=task.vehicle, recategorise=False)


SECTION = CallSection(code="booking", applies=_applies, template="callcenter/_booking_section.html",
                      context=_context, save=_save)
