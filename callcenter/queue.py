"""The agent queue (DESIGN §9.2): claim the next task atomically with a lease, renew, release, reassign, record.

No task is ever held by two agents: the claim is one UPDATE over rows picked with FOR UPDATE SKIP LOCKED, and a lease
that runs out makes the task claimable again. Tasks of one customer that are due together are claimed as one call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.scope import Scope
from dealers.choices import DEALER_ROLES

from .access import CALL_CENTER
from .choices import RETRY_OUTCOMES, Direction, Outcome, TaskStatus, WorkedBy
from .models import Call, FollowUpTask, NumberFlag
from .rules import clean_answers
from .working_time import calendar_for

CALL_CENTER_ROLES = frozenset(CALL_CENTER)  # the call center's roles, as its access policy names them


def lease_length() -> dt.timedelta:
    """How long a claim holds a task without a sign of life from the agent's page (15 minutes by default)."""
    return dt.timedelta(minutes=getattr(settings, "CALLCENTER_LEASE_MINUTES", 15))


def callback_grace() -> dt.timedelta:
    """How long a callback stays reserved for its agent after its time before anyone may take it."""
    return dt.timedelta(minutes=getattr(settings, "CALLCENTER_CALLBACK_GRACE_MINUTES", 30))


@dataclass(frozen=True)
class Worklist:
    """Which tasks a scope works: the call center's queues, or one store's own."""

    worked_by: str
    dealer_id: int | None

    @classmethod
    def of(cls, scope: Scope) -> Worklist | None:
        if scope.is_api_client or scope.user_id is None:
            return None
        if scope.role in CALL_CENTER_ROLES:
            return cls(WorkedBy.CALL_CENTER, None)
        if scope.role in DEALER_ROLES and scope.single_dealer_id:
            return cls(WorkedBy.DEALER, scope.single_dealer_id)
        return None

    def calendar(self, tenant_id: int):
        return calendar_for(tenant_id, self.dealer_id)

    def covers(self, task: FollowUpTask) -> bool:
        return task.worked_by == self.worked_by and (self.dealer_id is None or task.dealer_id == self.dealer_id)


# Open and due, not waiting for a retry, not a callback reserved for someone else; or held under a lapsed lease.
CLAIMABLE = """
    t.tenant_id = %(tenant)s AND t.worked_by = %(worked_by)s {dealer}
    AND t.status IN ('open', 'claimed') AND t.due_on <= %(today)s AND t.expires_on >= %(today)s
    AND (
        (t.status = 'open' AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= %(now)s)
         AND (t.callback_at IS NULL OR t.assigned_to_id = %(agent)s OR t.callback_at <= %(grace_until)s))
        OR (t.status = 'claimed' AND t.claimed_until < %(now)s)
    )
"""

CLAIM_SQL = """
WITH first AS (
    SELECT t.id, t.customer_id FROM callcenter_followuptask t
    WHERE {claimable} {queue} {mine}
    ORDER BY t.priority, t.due_on, t.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), bundle AS (
    SELECT t.id FROM callcenter_followuptask t JOIN first f ON t.customer_id = f.customer_id
    WHERE {claimable} AND t.id <> f.id
    FOR UPDATE OF t SKIP LOCKED
)
UPDATE callcenter_followuptask SET status = 'claimed', assigned_to_id = %(agent)s, claimed_until = %(until)s,
       updated_at = %(now)s
WHERE id IN (SELECT id FROM first UNION ALL SELECT id FROM bundle)
RETURNING id
"""


class OutsideCallingWindow(Exception):
    """Raised by a claim outside the calling window; carries the next slot."""

    def __init__(self, next_slot: dt.datetime):
        super().__init__(next_slot)
        self.next_slot = next_slot


def followup_claim_next(*, scope: Scope, queue: str = "", now: dt.datetime | None = None) -> list[FollowUpTask]:
    """Claim the most urgent task the agent may work (and the customer's other due tasks); [] when none.

    The agent's own due callbacks come first; then priority, then due date: no cherry-picking.
    Raises OutsideCallingWindow when customers may not be called now.
    """
    worklist = Worklist.of(scope)
    if worklist is None:
        raise PermissionDenied
    now = now or timezone.now()
    calendar = worklist.calendar(scope.tenant_id)
    if not calendar.in_calling_window(now):
        raise OutsideCallingWindow(calendar.next_calling_slot(now))
    params = {
        "tenant": scope.tenant_id, "worked_by": worklist.worked_by, "dealer_id": worklist.dealer_id,
        "today": calendar.local_day(now), "now": now, "agent": scope.user_id, "grace_until": now - callback_grace(),
        "until": now + lease_length(), "queue": queue,
    }
    claimable = CLAIMABLE.format(dealer="AND t.dealer_id = %(dealer_id)s" if worklist.dealer_id else "")
    queue_sql = "AND t.queue = %(queue)s" if queue else ""
    with transaction.atomic(), connection.cursor() as cursor:
        ids = []
        for mine in ("AND t.assigned_to_id = %(agent)s AND t.callback_at IS NOT NULL", ""):
            cursor.execute(CLAIM_SQL.format(claimable=claimable, queue=queue_sql, mine=mine), params)
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                break
        if not ids:
            return []
        tasks = list(FollowUpTask.objects.filter(pk__in=ids).select_related("rule").order_by("priority", "due_on",
                                                                                             "id"))
        audit(scope, "followup.claim", tasks[0], ids=ids)
    return tasks


def held_bundle(scope: Scope, task: FollowUpTask) -> list[FollowUpTask]:
    """The tasks this agent holds for the task's customer (one call), the task itself first."""
    rows = FollowUpTask.objects.scoped(scope).filter(
        customer_id=task.customer_id, status=TaskStatus.CLAIMED, assigned_to_id=task.assigned_to_id,
    ).select_related("rule").select_for_update(of=("self",)).order_by("priority", "due_on", "id")
    return sorted(rows, key=lambda row: row.pk != task.pk)


def _ensure_holder(scope: Scope, task: FollowUpTask) -> None:
    if task.status != TaskStatus.CLAIMED or task.assigned_to_id != scope.user_id:
        raise PermissionDenied(_("You do not hold this task: take it with “Next call” first."))


def followup_renew(*, scope: Scope, task: FollowUpTask, now: dt.datetime | None = None) -> dt.datetime:
    """Extend the holder's lease (the workspace page does it while it is open)."""
    now = now or timezone.now()
    with transaction.atomic():
        task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        _ensure_holder(scope, task)
        until = now + lease_length()
        FollowUpTask.objects.filter(customer_id=task.customer_id, status=TaskStatus.CLAIMED,
                                    assigned_to_id=scope.user_id).update(claimed_until=until, updated_at=now)
    return until


def followup_release(*, scope: Scope, task: FollowUpTask, now: dt.datetime | None = None) -> FollowUpTask:
    """Give a held task (with the rest of its call) back to the queue: the holder, or a supervisor."""
    from .access import SUPERVISE

    now = now or timezone.now()
    with transaction.atomic():
        task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        if task.assigned_to_id != scope.user_id and not SUPERVISE.allows(scope):
            raise PermissionDenied(_("You do not hold this task."))
        if task.status != TaskStatus.CLAIMED:
            raise ValidationError(_("This task is not being called."))
        bundle = held_bundle(scope, task)
        FollowUpTask.objects.filter(pk__in=[t.pk for t in bundle]).update(
            status=TaskStatus.OPEN, assigned_to=None, claimed_until=None, callback_at=None, updated_at=now)
        audit(scope, "followup.release", task, ids=[t.pk for t in bundle], holder=task.assigned_to_id)
        task.refresh_from_db()
    return task


def may_work(agent, task: FollowUpTask) -> bool:
    """Whether a user may work this task: an active agent of its tenant for the call center, its store's staff."""
    if not agent.is_active or agent.tenant_id != task.tenant_id:
        return False
    if task.worked_by == WorkedBy.CALL_CENTER:
        return agent.role in CALL_CENTER_ROLES
    return agent.role in DEALER_ROLES and agent.dealer_id == task.dealer_id


def followup_reassign(*, scope: Scope, task: FollowUpTask, agent, now: dt.datetime | None = None) -> FollowUpTask:
    """A supervisor hands an open or held task to another agent, held by them under a fresh lease."""
    now = now or timezone.now()
    if not may_work(agent, task):
        raise ValidationError({"agent": [_("This person cannot work this task.")]})
    with transaction.atomic():
        task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        if not task.is_open:
            raise ValidationError(_("This task is closed."))
        previous = task.assigned_to_id
        task.status, task.assigned_to, task.claimed_until = TaskStatus.CLAIMED, agent, now + lease_length()
        task.callback_at = None
        task.save(update_fields=["status", "assigned_to", "claimed_until", "callback_at", "updated_at"])
        audit(scope, "followup.reassign", task, to=agent.pk, previous=previous)
    return task


@dataclass(frozen=True)
class OutcomeInput:
    """What the agent recorded for one call."""

    outcome: str
    notes: str = ""
    answers: dict | None = None
    callback_at: dt.datetime | None = None
    do_not_call: bool = False
    duration_s: int = 0


def clean_outcome(task: FollowUpTask, data: OutcomeInput, now: dt.datetime, calendar) -> OutcomeInput:
    """Check an outcome against the task's rule; callbacks move into the calling window."""
    errors = {}
    if data.outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome.")]
    if len(data.notes or "") > 2000:
        errors["notes"] = [_("At most 2,000 characters.")]
    callback_at = data.callback_at
    if data.outcome == Outcome.CALLBACK:
        if callback_at is None:
            errors["callback_at"] = [_("Say when to call back.")]
        elif callback_at <= now:
            errors["callback_at"] = [_("The callback time must be in the future.")]
        else:
            callback_at = calendar.next_calling_slot(callback_at)
            last = dt.datetime.combine(task.expires_on, dt.time(23, 59), tzinfo=calendar.tz)
            if callback_at > last:
                errors["callback_at"] = [_("Call back before the task expires on %(day)s.") % {"day": task.expires_on}]
    answers = {}
    try:
        answers = clean_answers(task.rule.questions or [], data.answers) if data.outcome == Outcome.REACHED else {}
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return OutcomeInput(outcome=data.outcome, notes=(data.notes or "").strip(), answers=answers,
                        callback_at=callback_at, do_not_call=data.do_not_call,
                        duration_s=max(0, min(int(data.duration_s or 0), 86400)))


def _apply(task: FollowUpTask, data: OutcomeInput, now: dt.datetime, calendar) -> None:
    """Move one task of the call to its next state."""
    task.attempts += 1
    task.outcome = data.outcome
    task.claimed_until = None
    if data.notes:
        task.notes = data.notes
    if data.answers:
        task.answers = data.answers
    outcome = data.outcome
    if outcome in (Outcome.REACHED, Outcome.REFUSED):
        task.status, task.closed_at = TaskStatus.DONE, now
    elif outcome == Outcome.WRONG_NUMBER:
        task.status, task.closed_at = TaskStatus.UNREACHABLE, now
    elif outcome in RETRY_OUTCOMES:
        if task.attempts >= task.rule.max_attempts:
            task.status, task.closed_at = TaskStatus.UNREACHABLE, now
        else:
            task.status, task.assigned_to = TaskStatus.OPEN, None
            task.next_attempt_at = calendar.next_calling_slot(now + dt.timedelta(minutes=task.rule.retry_minutes(outcome)))
            task.callback_at = None
    elif outcome == Outcome.CALLBACK:
        # Held for this agent until the time; after a grace period anyone may take it (CLAIMABLE).
        task.status, task.next_attempt_at, task.callback_at = TaskStatus.OPEN, data.callback_at, data.callback_at
    task.save()


def followup_outcome(*, scope: Scope, task: FollowUpTask, data: OutcomeInput, started_at: dt.datetime | None = None,
                     now: dt.datetime | None = None) -> list[FollowUpTask]:
    """Record the holder's call: every task of the call moves on, one Call is logged; returns the tasks."""
    from customers.services import customer_set_do_not_call

    now = now or timezone.now()
    worklist = Worklist.of(scope)
    calendar = worklist.calendar(scope.tenant_id) if worklist else calendar_for(scope.tenant_id, task.dealer_id)
    with transaction.atomic():
        task = FollowUpTask.objects.select_for_update().select_related("rule", "customer").get(pk=task.pk)
        _ensure_holder(scope, task)
        data = clean_outcome(task, data, now, calendar)
        bundle = held_bundle(scope, task)
        call = Call.objects.create(
            tenant_id=task.tenant_id, direction=Direction.OUTBOUND, dealer_id=task.dealer_id,
            customer_id=task.customer_id, vehicle_id=task.vehicle_id, agent_id=scope.user_id,
            started_at=started_at or now, duration_s=data.duration_s, outcome=data.outcome, notes=data.notes,
            follow_up=task,
        )
        for row in bundle:
            _apply(row, data if row.pk == task.pk else OutcomeInput(
                outcome=data.outcome, notes=data.notes, callback_at=data.callback_at), now, calendar)
        if data.outcome == Outcome.WRONG_NUMBER and task.customer.mobile:
            NumberFlag.objects.create(tenant_id=task.tenant_id, customer_id=task.customer_id,
                                      number=task.customer.mobile, flagged_by_id=scope.user_id, task=task)
        if data.outcome == Outcome.REFUSED and data.do_not_call:
            customer_set_do_not_call(scope=scope, customer=task.customer, do_not_call=True,
                                     reason=_("Asked on a follow-up call (%(rule)s).") % {"rule": task.rule.name})
        audit(scope, "followup.outcome", task, outcome=data.outcome, call=call.pk, ids=[t.pk for t in bundle])
    return bundle


RELEASE_LAPSED_SQL = """
UPDATE callcenter_followuptask SET status = 'open', assigned_to_id = NULL, claimed_until = NULL, updated_at = %(now)s
WHERE tenant_id = %(tenant)s AND status = 'claimed' AND claimed_until < %(now)s
"""
EXPIRE_SQL = """
UPDATE callcenter_followuptask SET status = 'expired', claimed_until = NULL, closed_at = %(now)s, updated_at = %(now)s
WHERE tenant_id = %(tenant)s AND status IN ('open', 'claimed') AND expires_on < %(today)s
  AND NOT (status = 'claimed' AND claimed_until >= %(now)s)
"""


def followups_sweep(*, tenant_id: int, now: dt.datetime | None = None) -> tuple[int, int]:
    """Return lapsed leases to the queue and expire tasks past their due window; (released, expired)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RELEASE_LAPSED_SQL, {"tenant": tenant_id, "now": now})
        released = cursor.rowcount
        cursor.execute(EXPIRE_SQL, {"tenant": tenant_id, "now": now, "today": today})
        expired = cursor.rowcount
    return released, expired


def followup_take_callback(*, scope: Scope, task: FollowUpTask, now: dt.datetime | None = None) -> list[FollowUpTask]:
    """Take one of my callbacks now (from "My callbacks"), inside the calling window; [] if it is gone."""
    worklist = Worklist.of(scope)
    if worklist is None or not worklist.covers(task):
        raise PermissionDenied
    now = now or timezone.now()
    calendar = worklist.calendar(scope.tenant_id)
    if not calendar.in_calling_window(now):
        raise OutsideCallingWindow(calendar.next_calling_slot(now))
    with transaction.atomic():
        taken = FollowUpTask.objects.filter(
            pk=task.pk, status=TaskStatus.OPEN, assigned_to_id=scope.user_id, callback_at__isnull=False,
        ).update(status=TaskStatus.CLAIMED, claimed_until=now + lease_length(), updated_at=now)
        if not taken:
            return []
        task.refresh_from_db()
        audit(scope, "followup.claim", task, ids=[task.pk], callback=True)
    return [task]
