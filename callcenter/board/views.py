"""The supervisor board (DESIGN §9.2): queues and their backlog, the period's figures, agents, held tasks and rules.

Supervisors (SUPERVISE) also release or reassign a held task and pause or resume a rule from here; every read goes
through the scope, so another tenant's task or rule answers 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from crm_site.web import ScopeRequiredMixin

from ..access import BOARD_VIEW, SUPERVISE
from ..choices import TaskStatus
from ..models import FollowUpRule, FollowUpTask
from . import selectors
from .forms import PeriodForm, ReassignForm


def board_now():
    """The moment the board is drawn for (a function of its own, so tests can freeze it)."""
    return timezone.now()


def is_htmx(request) -> bool:
    """A request made by htmx for the figures alone (the 60-second refresh)."""
    return request.headers.get("HX-Request") == "true"


def percent(value: float | None) -> str:
    """A share as a percentage with one decimal, or a dash when there is nothing to divide."""
    return "—" if value is None else f"{decimal(value * 100)}%"


def decimal(value: float | None, places: int = 1) -> str:
    """A number rounded to `places` decimals (number_format alone would cut the rest off), or a dash."""
    return "—" if value is None else formats.number_format(round(value, places), places)


def duration(seconds: float) -> str:
    """Hours and minutes, e.g. 2:05."""
    minutes = int(round(seconds / 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def age_labels() -> list[tuple[str, str]]:
    return [("not_due", _("Not yet due")), ("d0_1", _("0–1 days")), ("d2_3", _("2–3 days")),
            ("d4_7", _("4–7 days")), ("over_7", _("Over 7 days"))]


def stacked_bars(categories: list[str], series: list[tuple[str, list[int]]], *, horizontal: bool = False) -> dict:
    """An ECharts option of stacked bars, one series per (name, values)."""
    category_axis = {"type": "category", "data": categories}
    value_axis = {"type": "value", "minInterval": 1}
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": [name for name, _values in series], "bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 40, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [{"name": name, "type": "bar", "stack": "total", "data": values} for name, values in series],
    }


class BoardMixin(ScopeRequiredMixin):
    """The period chosen (a day or a week, default today) and what every board page shows around its figures."""

    read_permission = BOARD_VIEW
    write_permission = SUPERVISE

    def setup_period(self, request, here: str = ""):
        """The period asked for in the page's address (`here`, by default the request's own)."""
        self.here = here or request.get_full_path()
        data = QueryDict(urlsplit(self.here).query)
        self.now = board_now()
        self.today = timezone.localdate(self.now)
        self.period_form = PeriodForm(data or None, today=self.today)
        self.query = data.urlencode()
        self.period = self.period_form.chosen()

    def base_context(self, request) -> dict:
        return {
            "period_form": self.period_form, "period": self.period, "today": self.today, "now": self.now,
            "may_supervise": self.may_write(), "query": self.query, "here": self.here,
        }

    def answer(self, request, template: str, fragment: str, context: dict, status: int | None = None):
        if status is None:
            status = 400 if self.period_form.is_bound and not self.period_form.is_valid() else 200
        return render(request, fragment if is_htmx(request) else template, context, status=status)


class Board(BoardMixin, View):
    """The queues: headline figures, backlog by queue and age, closed tasks by queue, calls per hour, the rules."""

    def get(self, request):
        self.setup_period(request)
        return self.answer(request, "callcenter/board/board.html", "callcenter/board/_figures.html",
                           self.context(request))

    def context(self, request) -> dict:
        backlog = selectors.board_backlog(self.scope, today=self.today)
        closed, closed_total = selectors.board_closed(self.scope, period=self.period)
        _agents, agents_total = selectors.board_agents(self.scope, period=self.period, with_held=False)
        hours = selectors.board_calls_by_hour(self.scope, period=self.period)
        rules = list(selectors.board_rules(self.scope))
        for rule in rules:
            rule.backlog = backlog.per_rule.get(rule.pk, 0)
        bands = age_labels()
        backlog_rows = [{"queue": q.queue, "bands": [getattr(q, key) for key, _label in bands], "total": q.total,
                         "due_today": q.due_today, "overdue": q.overdue, "claimed": q.claimed}
                        for q in backlog.queues]
        by_hour = {row["hour"]: row for row in hours}
        first, last = (min(by_hour), max(by_hour)) if by_hour else (8, 18)
        hour_rows = [{"hour": f"{h:02d}:00", "calls": by_hour.get(h, {}).get("calls", 0),
                      "reached": by_hour.get(h, {}).get("reached", 0)} for h in range(min(first, 8), max(last, 18) + 1)]
        for row in hour_rows:
            row["reach"] = percent(selectors.ratio(row["reached"], row["calls"]))
        return self.base_context(request) | {
            "backlog": backlog, "backlog_rows": backlog_rows, "bands": [label for _key, label in bands],
            "backlog_chart": stacked_bars(
                [q.queue for q in backlog.queues],
                [(label, [getattr(q, key) for q in backlog.queues]) for key, label in bands]),
            "closed_rows": [self.closed_row(q) for q in closed], "closed_total": self.closed_row(closed_total),
            "calls_per_agent_hour": decimal(agents_total.calls_per_hour),
            "agents_total": agents_total, "agent_hours": decimal(agents_total.agent_hours),
            "hour_rows": hour_rows,
            "hours_chart": stacked_bars([row["hour"] for row in hour_rows], [
                (_("Reached"), [row["reached"] for row in hour_rows]),
                (_("Not reached"), [row["calls"] - row["reached"] for row in hour_rows])]),
            "rules": rules,
        }

    @staticmethod
    def closed_row(q: selectors.QueueClosed) -> dict:
        return {"queue": q.queue, "closed": q.closed, "in_window": q.in_window, "in_window_rate": percent(
            q.in_window_rate), "reached": q.reached, "reach_rate": percent(q.reach_rate),
            "attempts": q.attempts, "attempts_per_task": decimal(q.attempts_per_task)}


class BoardAgents(BoardMixin, View):
    """The agents: their calls of the period and the tasks they hold now, with release and reassign."""

    def get(self, request):
        self.setup_period(request)
        return self.answer(request, "callcenter/board/agents.html", "callcenter/board/_agents.html",
                           self.context(request))

    def context(self, request, *, failed_task_id: int | None = None, failed_form=None) -> dict:
        # The active agents are listed even without a call, and are whom a supervisor may hand a task to.
        active = list(selectors.active_agents(self.scope))
        agents, total = selectors.board_agents(self.scope, period=self.period, listed=active)
        held = list(selectors.board_held_tasks(self.scope)[:selectors.HELD_SHOWN + 1])
        agent_choices = active if self.may_write() else []
        for task in held:
            task.reassign_form = failed_form if task.pk == failed_task_id else None
        rows = [self.agent_row(agent) for agent in agents]
        shown = [row for row in rows if row["calls"] or row["held"]]
        return self.base_context(request) | {
            "agent_rows": rows, "agent_total": self.agent_row(total),
            "agents_chart": stacked_bars([row["name"] for row in shown], [
                (_("Reached"), [row["reached"] for row in shown]),
                (_("Not reached"), [row["calls"] - row["reached"] for row in shown])], horizontal=True),
            "held": held[:selectors.HELD_SHOWN], "held_more": len(held) > selectors.HELD_SHOWN,
            "held_shown": selectors.HELD_SHOWN, "agent_choices": agent_choices,
        }

    @staticmethod
    def agent_row(agent: selectors.AgentFigures) -> dict:
        return {"name": agent.name, "user_id": agent.user_id, "calls": agent.calls, "reached": agent.reached,
                "reach_rate": percent(agent.reach_rate), "talk": duration(agent.talk_s),
                "hours": decimal(agent.agent_hours), "calls_per_hour": decimal(agent.calls_per_hour),
                "held": agent.held}


def back_to(request, default: str) -> str:
    """The board page (with its period) the action came from, or `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()) and target.startswith("/"):
        return target
    return default


def first_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class TaskAction(ScopeRequiredMixin, View):
    """A supervisor's action on a held task of the scope (another tenant's or dealer's task answers 404)."""

    read_permission = write_permission = SUPERVISE

    def get_task(self, pk: int) -> FollowUpTask:
        return get_object_or_404(FollowUpTask.objects.scoped(self.scope).select_related("assigned_to", "customer"),
                                 pk=pk)

    def done(self, request, text: str = "", error: str = ""):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, text)
        return redirect(back_to(request, reverse("callcenter:board-agents")))


class TaskRelease(TaskAction):
    """Give a held task back to the queue (DESIGN §9.2: release)."""

    def post(self, request, pk: int):
        from ..queue import followup_release

        task = self.get_task(pk)
        if task.status != TaskStatus.CLAIMED:
            return self.done(request, error=_("Nobody holds this task any more."))
        try:
            followup_release(scope=self.scope, task=task)
        except ValidationError as exc:
            return self.done(request, error=first_message(exc))
        return self.done(request, _("The task for %(customer)s is back in the queue.") % {"customer": task.customer})


class TaskReassign(TaskAction, BoardAgents):
    """Hand a held task to another active agent, who holds it under a fresh lease; a wrong choice is a form error."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        from ..queue import followup_reassign

        task = self.get_task(pk)
        form = ReassignForm(request.POST, scope=self.scope)
        if form.is_valid() and task.status != TaskStatus.CLAIMED:
            form.add_error(None, _("Nobody holds this task any more."))
        if form.is_valid():
            agent = form.cleaned_data["agent"]
            try:
                followup_reassign(scope=self.scope, task=task, agent=agent)
            except ValidationError as exc:
                form.add_error(None, exc)  # errors naming "agent" land beside the choice
            else:
                return self.done(request, _("The task for %(customer)s is now with %(agent)s.") % {
                    "customer": task.customer, "agent": agent.full_name or agent.username})
        # The agents page again, with the error beside the task and the agent that was chosen kept.
        # The period of the page the form was sent from (its address is in "next").
        self.setup_period(request, back_to(request, reverse("callcenter:board-agents")))
        context = self.context(request, failed_task_id=task.pk, failed_form=form)
        context["action_error"] = True
        return render(request, "callcenter/board/agents.html", context, status=400)


class RulePause(ScopeRequiredMixin, View):
    """Pause a rule (it creates no new tasks; its open tasks stay) or resume it."""

    read_permission = write_permission = SUPERVISE

    def post(self, request, pk: int):
        from ..rules import rule_set_active

        rule = get_object_or_404(FollowUpRule.objects.scoped(self.scope), pk=pk)
        active = request.POST.get("active") == "1"
        rule_set_active(scope=self.scope, rule=rule, active=active)
        text = (_("%(rule)s resumed: it creates tasks again.") if active
                else _("%(rule)s paused: it creates no new tasks; its open tasks stay in the queue."))
        messages.success(request, text % {"rule": rule.name})
        return redirect(back_to(request, reverse("callcenter:board")))
