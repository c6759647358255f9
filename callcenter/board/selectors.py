"""Reads of the supervisor board (班组看板): backlog, closed-task figures, calls per agent and hour, held tasks, rules.

Each reader is one grouped SQL query over the scope, whatever the number of queues or agents; dates are local
(Asia/Shanghai) and the day or week and the moment "now" are arguments, so tests can freeze them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

from dealers.choices import Role
from dealers.models import User

from ..choices import OPEN_STATUSES, REACHED_OUTCOMES, TaskStatus
from ..models import Call, FollowUpRule, FollowUpTask

# A task is closed when its work ended; a cancelled one (rule withdrawn, customer merged away) was never worked.
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.EXPIRED)
# Who the board counts as agents and may hand a task to (DESIGN §2: the call center's two roles).
AGENT_ROLES = (Role.CC_AGENT, Role.CC_SUPERVISOR)
# Backlog age bands, in whole days past the due date: (key, first day, last day or None for no end).
AGE_BANDS = (("d0_1", 0, 1), ("d2_3", 2, 3), ("d4_7", 4, 7), ("over_7", 8, None))
MIN_AGENT_DAY = timedelta(hours=1)
HELD_SHOWN = 200


@dataclass(frozen=True)
class Period:
    """A day or a Monday-to-Sunday week of local dates, `start` included and `end` excluded."""

    kind: str
    start: date
    end: date

    @classmethod
    def of(cls, kind: str, on: date) -> Period:
        """The day `on`, or the week holding it."""
        if kind == "week":
            start = on - timedelta(days=on.weekday())
            return cls("week", start, start + timedelta(days=7))
        return cls("day", on, on + timedelta(days=1))

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return local_midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def local_midnight(day: date) -> datetime:
    """The start of a local day as an aware moment."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def ratio(part, whole) -> float | None:
    """part ÷ whole, or None (shown as a dash) when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass
class QueueBacklog:
    """One queue's open and being-called tasks now, by age."""

    queue: str
    not_due: int = 0
    d0_1: int = 0
    d2_3: int = 0
    d4_7: int = 0
    over_7: int = 0
    due_today: int = 0
    overdue: int = 0
    claimed: int = 0
    total: int = 0

    def add(self, other: QueueBacklog) -> None:
        for name in ("not_due", "d0_1", "d2_3", "d4_7", "over_7", "due_today", "overdue", "claimed", "total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Backlog:
    """The backlog per queue, its total, and the open tasks per rule (for the rules table)."""

    queues: list[QueueBacklog]
    total: QueueBacklog
    per_rule: dict[int, int]


def board_backlog(scope, *, today: date) -> Backlog:
    """Open and claimed tasks by queue and days past due as of `today`, in one query grouped by queue and rule."""
    age = {}
    for key, first, last in AGE_BANDS:
        q = Q(due_on__lte=today - timedelta(days=first))
        if last is not None:
            q &= Q(due_on__gte=today - timedelta(days=last))
        age[key] = Count("id", filter=q)
    rows = (
        FollowUpTask.objects.scoped(scope).filter(status__in=OPEN_STATUSES)
        .values("queue", "rule_id")
        .annotate(not_due=Count("id", filter=Q(due_on__gt=today)), **age,
                  due_today=Count("id", filter=Q(due_on=today)), overdue=Count("id", filter=Q(due_on__lt=today)),
                  claimed=Count("id", filter=Q(status=TaskStatus.CLAIMED)), total=Count("id"))
        .order_by("queue", "rule_id")
    )
    queues: dict[str, QueueBacklog] = {}
    per_rule: dict[int, int] = defaultdict(int)
    total = QueueBacklog(queue="")
    for row in rows:
        part = QueueBacklog(queue=row["queue"], **{k: row[k] for k in (
            "not_due", "d0_1", "d2_3", "d4_7", "over_7", "due_today", "overdue", "claimed", "total")})
        queues.setdefault(row["queue"], QueueBacklog(queue=row["queue"])).add(part)
        per_rule[row["rule_id"]] += row["total"]
        total.add(part)
    return Backlog(queues=list(queues.values()), total=total, per_rule=dict(per_rule))


@dataclass
class QueueClosed:
    """Tasks of one queue closed in the period and how they ended."""

    queue: str
    closed: int = 0
    in_window: int = 0
    reached: int = 0
    attempts: int = 0

    @property
    def in_window_rate(self) -> float | None:
        return ratio(self.in_window, self.closed)

    @property
    def reach_rate(self) -> float | None:
        return ratio(self.reached, self.closed)

    @property
    def attempts_per_task(self) -> float | None:
        return ratio(self.attempts, self.closed)


def board_closed(scope, *, period: Period) -> tuple[list[QueueClosed], QueueClosed]:
    """Per queue and in total: tasks closed in the period, done before expiry, reached, attempts; one query."""
    closed_on = TruncDate("closed_at", tzinfo=timezone.get_current_timezone())
    rows = (
        FollowUpTask.objects.scoped(scope)
        .filter(status__in=CLOSED_STATUSES, closed_at__gte=period.start_at, closed_at__lt=period.end_at)
        .values("queue")
        .annotate(closed=Count("id"),
                  in_window=Count("id", filter=Q(status=TaskStatus.DONE) & Q(LessThan(closed_on, F("expires_on")))),
                  reached=Count("id", filter=Q(outcome__in=REACHED_OUTCOMES)),
                  attempts=Sum("attempts"))
        .order_by("queue")
    )
    queues = [QueueClosed(queue=row["queue"], closed=row["closed"], in_window=row["in_window"],
                          reached=row["reached"], attempts=row["attempts"] or 0) for row in rows]
    total = QueueClosed(queue="", closed=sum(q.closed for q in queues), in_window=sum(q.in_window for q in queues),
                        reached=sum(q.reached for q in queues), attempts=sum(q.attempts for q in queues))
    return queues, total


@dataclass
class AgentFigures:
    """One agent's calls in the period and the tasks they hold now."""

    user_id: int
    name: str
    calls: int = 0
    reached: int = 0
    talk_s: int = 0
    hours_s: float = 0.0
    days: int = 0
    held: int = 0

    @property
    def reach_rate(self) -> float | None:
        return ratio(self.reached, self.calls)

    @property
    def agent_hours(self) -> float:
        return self.hours_s / 3600

    @property
    def calls_per_hour(self) -> float | None:
        return ratio(self.calls, self.agent_hours)


def display_name(full_name: str, username: str) -> str:
    return full_name or username


def board_agents(scope, *, period: Period, listed=(),
                 with_held: bool = True) -> tuple[list[AgentFigures], AgentFigures]:
    """Per agent: calls, reached, talk time and agent-hours of the period, and tasks held now; one or two queries.

    An agent-hour counts, for each agent and local day with calls, from the start of the first call to the end of
    the last, and at least one hour. `listed` users (the active agents) are listed even without a call.
    """
    tz = timezone.get_current_timezone()
    call_end = ExpressionWrapper(F("started_at") + F("duration_s") * timedelta(seconds=1),
                                output_field=DateTimeField())
    days = (
        Call.objects.scoped(scope)
        .filter(agent__isnull=False, started_at__gte=period.start_at, started_at__lt=period.end_at)
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("agent_id", "agent__full_name", "agent__username", "day")
        .annotate(calls=Count("id"), reached=Count("id", filter=Q(outcome__in=REACHED_OUTCOMES)),
                  talk=Sum("duration_s"), first=Min("started_at"), last_end=Max(call_end))
        .order_by("agent_id", "day")
    )
    agents: dict[int, AgentFigures] = {}
    for user in listed:
        agents[user.pk] = AgentFigures(user.pk, display_name(user.full_name, user.username))
    for row in days:
        agent = agents.setdefault(row["agent_id"], AgentFigures(
            row["agent_id"], display_name(row["agent__full_name"], row["agent__username"])))
        agent.calls += row["calls"]
        agent.reached += row["reached"]
        agent.talk_s += row["talk"] or 0
        agent.days += 1
        span = row["last_end"] - row["first"] if isinstance(row["last_end"], datetime) else timedelta(0)
        agent.hours_s += max(span, MIN_AGENT_DAY).total_seconds()
    held = (
        FollowUpTask.objects.scoped(scope).filter(status=TaskStatus.CLAIMED, assigned_to__isnull=False)
        .values("assigned_to_id", "assigned_to__full_name", "assigned_to__username")
        .annotate(held=Count("id")).order_by()
    ) if with_held else []
    for row in held:
        agent = agents.setdefault(row["assigned_to_id"], AgentFigures(
            row["assigned_to_id"], display_name(row["assigned_to__full_name"], row["assigned_to__username"])))
        agent.held = row["held"]
    rows = sorted(agents.values(), key=lambda a: (-a.calls, a.name))
    total = AgentFigures(0, "", calls=sum(a.calls for a in rows), reached=sum(a.reached for a in rows),
                         talk_s=sum(a.talk_s for a in rows), hours_s=sum(a.hours_s for a in rows),
                         days=sum(a.days for a in rows), held=sum(a.held for a in rows))
    return rows, total


def board_calls_by_hour(scope, *, period: Period) -> list[dict]:
    """Calls and reached calls per local hour of the day (0–23) over the period, in one query."""
    rows = (
        Call.objects.scoped(scope)
        .filter(agent__isnull=False, started_at__gte=period.start_at, started_at__lt=period.end_at)
        .annotate(hour=ExtractHour("started_at", tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(calls=Count("id"), reached=Count("id", filter=Q(outcome__in=REACHED_OUTCOMES)))
        .order_by("hour")
    )
    return [{"hour": row["hour"], "calls": row["calls"], "reached": row["reached"]} for row in rows]


def board_held_tasks(scope):
    """Tasks being called now, the oldest lease end first, with their agent, rule and customer (one query)."""
    return (
        FollowUpTask.objects.scoped(scope).filter(status=TaskStatus.CLAIMED)
        .select_related("assigned_to", "rule", "customer", "dealer")
        .order_by("claimed_until", "id")
    )


def active_agents(scope):
    """Active call-center agents and supervisors of the tenant: the people a task may be handed to."""
    return User.objects.scoped(scope).filter(role__in=AGENT_ROLES, is_active=True).order_by("full_name", "username")


def board_rules(scope):
    """The tenant's follow-up rules, most urgent first."""
    return FollowUpRule.objects.scoped(scope).order_by("priority", "code")


@dataclass
class BoardToday:
    """The landing widget's few figures: backlog now and today's calls."""

    backlog: QueueBacklog
    held: int
    calls: int
    reached: int
    today: date

    @property
    def reach_rate(self) -> float | None:
        return ratio(self.reached, self.calls)


def board_today(scope, *, now: datetime) -> BoardToday:
    """Backlog, due today, overdue and held now, and today's calls and reached calls, in two queries."""
    today = timezone.localdate(now)
    backlog = FollowUpTask.objects.scoped(scope).filter(status__in=OPEN_STATUSES).aggregate(
        total=Count("id"), due_today=Count("id", filter=Q(due_on=today)),
        overdue=Count("id", filter=Q(due_on__lt=today)), claimed=Count("id", filter=Q(status=TaskStatus.CLAIMED)))
    period = Period.of("day", today)
    calls = Call.objects.scoped(scope).filter(
        agent__isnull=False, started_at__gte=period.start_at, started_at__lt=period.end_at,
    ).aggregate(calls=Count("id"), reached=Count("id", filter=Q(outcome__in=REACHED_OUTCOMES)))
    summary = QueueBacklog(queue="", total=backlog["total"], due_today=backlog["due_today"],
                           overdue=backlog["overdue"], claimed=backlog["claimed"])
    return BoardToday(backlog=summary, held=backlog["claimed"], calls=calls["calls"], reached=calls["reached"],
                      today=today)
