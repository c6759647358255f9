"""The queue worker's landing-page widget: what is due in my queues now, my callbacks, and "Next call"."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget
from dealers.access import WidgetAccess

from .access import QUEUE_WORK
from .choices import TaskStatus
from .models import FollowUpTask
from .queue import Worklist, callback_grace


def _my_queue(request, scope) -> dict:
    """Due now in the queues I work and my due callbacks, in one query."""
    worklist = Worklist.of(scope)
    now = timezone.now()
    if worklist is None:
        return {"due": 0, "callbacks": 0}
    today = worklist.calendar(scope.tenant_id).local_day(now)
    rows = FollowUpTask.objects.scoped(scope).filter(worked_by=worklist.worked_by, status=TaskStatus.OPEN,
                                                     due_on__lte=today, expires_on__gte=today)
    if worklist.dealer_id:
        rows = rows.filter(dealer_id=worklist.dealer_id)
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return rows.aggregate(
        due=Count("id", filter=ready & (Q(callback_at__isnull=True) | Q(callback_at__lte=now - callback_grace()))),
        callbacks=Count("id", filter=Q(assigned_to_id=scope.user_id, callback_at__isnull=False,
                                       callback_at__lte=now)),
    )


# An agent's day is the queue: it comes first; at a store it comes after the store's own day.
WIDGETS = (
    Widget(code="my_queue", title=_("My call queue"), template="callcenter/_widget_my_queue.html",
           context=_my_queue, permission=WidgetAccess(QUEUE_WORK, store=False), order=1),
    Widget(code="my_queue", title=_("My call queue"), template="callcenter/_widget_my_queue.html",
           context=_my_queue, permission=WidgetAccess(QUEUE_WORK, store=True), order=40),
)
