"""The call center's timeline sources on the customer 360: calls (and visits), and follow-ups with their outcomes.

The core reads each model through the scope, so a store sees only the calls about its own store and the
follow-ups it works itself.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.plugins import TimelineSource
from crm_site.timeline import TimelineEvent, as_datetime

from .choices import CallKind, TaskStatus
from .models import Call, FollowUpTask


def _call_event(call: Call) -> TimelineEvent:
    if call.kind == CallKind.VISIT:
        title = _("Key-account visit")
    elif call.follow_up_id:
        title = _("%(rule)s call: %(outcome)s") % {"rule": call.follow_up.rule.name,
                                                  "outcome": call.get_outcome_display()}
    else:
        title = _("%(direction)s call: %(category)s") % {"direction": call.get_direction_display(),
                                                         "category": call.get_category_display()}
    return TimelineEvent(
        at=call.started_at, kind="call", dealer_id=call.dealer_id, dealer_name=call.dealer.name if call.dealer else "",
        title=title, object_type="call", object_id=call.pk, link=reverse("callcenter:call-detail", args=[call.pk]),
        detail={"direction": call.direction, "outcome": call.outcome, "category": call.category,
                "notes": call.notes[:200], "agent": str(call.agent or "")},
    )


def _follow_up_event(task: FollowUpTask) -> TimelineEvent:
    if task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        title = _("%(rule)s due") % {"rule": task.rule.name}
        at = as_datetime(task.due_on)
    else:
        title = _("%(rule)s: %(status)s") % {"rule": task.rule.name, "status": task.get_status_display()}
        at = task.closed_at or as_datetime(task.due_on)
    return TimelineEvent(
        at=at, kind="follow_up", dealer_id=task.dealer_id, dealer_name=task.dealer.name, title=title,
        object_type="follow_up", object_id=task.pk, link=reverse("callcenter:task", args=[task.pk]),
        detail={"rule": task.rule.code, "status": task.status, "outcome": task.outcome, "attempts": task.attempts,
                "answers": task.answers},
    )


TIMELINE_SOURCES = [
    TimelineSource("call", gettext_lazy("Call"), Call,
                   lambda rows, customer: rows.filter(customer=customer).select_related(
                       "dealer", "agent", "follow_up__rule").order_by("-started_at")[:200],
                   _call_event),
    TimelineSource("follow_up", gettext_lazy("Follow-up"), FollowUpTask,
                   lambda rows, customer: rows.filter(customer=customer).select_related("rule", "dealer")
                   .order_by("-due_on")[:200],
                   _follow_up_event),
]
