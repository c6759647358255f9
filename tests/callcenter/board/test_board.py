"""The supervisor board: who opens it, its figures on a frozen day, the supervisor's actions, its query count."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from callcenter.board import selectors, views
from callcenter.choices import Outcome, TaskStatus, WorkedBy
from callcenter.models import FollowUpRule, FollowUpTask
from dealers.choices import Role
from tests.dealers.factories import UserFactory
from tests.helpers import EVERY_ROLE, browser, count_queries

from .factories import CallFactory, RuleFactory, TaskFactory

TODAY = date(2026, 3, 11)  # a Wednesday; its week runs Monday 9 to Sunday 15 March
BOARD_ROLES = {"oem_admin", "oem_analyst", "cc_supervisor"}
SUPERVISORS = {"oem_admin", "cc_supervisor"}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


NOW = local(TODAY, 15)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(views, "board_now", lambda: NOW)


@pytest.fixture
def scene(world):
    """A small call center of tenant A on 11 March 2026 (and some of tenant B's rows that must not count)."""
    a1, a2, b1 = world.dealers["A1"], world.dealers["A2"], world.dealers["B1"]
    agent, supervisor = world.principals["cc_agent"].user, world.principals["cc_supervisor"].user
    ssi = RuleFactory(tenant=a1.tenant, code="delivery", queue="ssi")
    reminders = RuleFactory(tenant=a1.tenant, code="maintenance", queue="reminders", worked_by=WorkedBy.DEALER)
    foreign_rule = RuleFactory(tenant=b1.tenant, code="delivery", queue="ssi")

    def task(rule, dealer, due, **kwargs):
        return TaskFactory(rule=rule, dealer=dealer, due_on=due, **kwargs)

    days = lambda n: TODAY - timedelta(days=n)  # noqa: E731
    # The backlog: ssi has one of every band but "over 7"; reminders one of 4–7 and one over 7.
    task(ssi, a1, TODAY + timedelta(days=2))                                      # not yet due
    task(ssi, a1, TODAY)                                                          # 0–1, due today
    held = task(ssi, a1, days(1), status=TaskStatus.CLAIMED, assigned_to=agent,
                claimed_until=NOW + timedelta(minutes=10), attempts=1)            # 0–1, overdue, held
    task(ssi, a2, days(3))                                                        # 2–3
    task(ssi, a1, days(6))                                                        # 4–7
    task(reminders, a2, days(7))                                                  # 4–7
    task(reminders, a2, days(19))                                                 # over 7
    task(foreign_rule, b1, days(2))                                               # tenant B: not counted
    # Closed tasks: three of ssi and one of reminders on the 11th; one the evening before; a cancelled one.
    task(ssi, a1, days(2), status=TaskStatus.DONE, outcome=Outcome.REACHED, attempts=1,
         closed_at=local(TODAY, 10), expires_on=TODAY + timedelta(days=4))      # within the window, reached
    task(ssi, a1, days(8), status=TaskStatus.UNREACHABLE, outcome=Outcome.NO_ANSWER, attempts=3,
         closed_at=local(TODAY, 11))
    task(ssi, a2, days(7), status=TaskStatus.DONE, outcome=Outcome.REFUSED, attempts=2,
         closed_at=local(TODAY, 9), expires_on=TODAY)                             # done on its expiry day: late
    task(reminders, a2, days(30), status=TaskStatus.EXPIRED, attempts=0,
         closed_at=local(TODAY, 0, 30))                                           # just after local midnight
    task(ssi, a1, days(3), status=TaskStatus.DONE, outcome=Outcome.REACHED, attempts=1,
         closed_at=local(days(1), 23, 30))                                        # the day before, same week
    task(ssi, a1, days(3), status=TaskStatus.CANCELLED, closed_at=local(TODAY, 12))
    task(foreign_rule, b1, days(3), status=TaskStatus.DONE, outcome=Outcome.REACHED, closed_at=local(TODAY, 10))
    # Calls: the agent 09:00–11:05 (three calls), the supervisor one short call; one the day before.
    CallFactory(dealer=a1, agent=agent, started_at=local(TODAY, 9), duration_s=60)
    CallFactory(dealer=a1, agent=agent, started_at=local(TODAY, 9, 30), duration_s=120, outcome=Outcome.NO_ANSWER)
    CallFactory(dealer=a2, agent=agent, started_at=local(TODAY, 11), duration_s=300, outcome=Outcome.CALLBACK)
    CallFactory(dealer=a1, agent=supervisor, started_at=local(TODAY, 14), duration_s=60)
    CallFactory(dealer=a1, agent=agent, started_at=local(days(1), 10), duration_s=60)
    CallFactory(dealer=a1, agent=None, started_at=local(TODAY, 10))              # no agent: not counted
    CallFactory(dealer=b1, agent=None, started_at=local(TODAY, 10))
    return {"ssi": ssi, "reminders": reminders, "held": held, "foreign_rule": foreign_rule}


def scope_of(world, name="cc_supervisor"):
    return world.principals[name].scope


# Who opens it

@pytest.mark.parametrize("url", ["/callcenter/board/", "/callcenter/board/agents/"])
@pytest.mark.parametrize("name", EVERY_ROLE)
def test_board_opens_for_board_view_holders_only(world, name, url):
    response = browser(world, name).get(url)
    assert response.status_code == (200 if name in BOARD_ROLES else 403)


def test_menu_entry_is_shown_to_board_view_holders(world):
    assert "/callcenter/board/" in browser(world, "oem_analyst").get("/").content.decode()
    assert "/callcenter/board/" not in browser(world, "cc_agent").get("/").content.decode()


# Figures on the frozen day, by hand

def test_backlog_by_queue_and_age(world, scene):
    backlog = selectors.board_backlog(scope_of(world), today=TODAY)
    by_queue = {q.queue: q for q in backlog.queues}
    assert set(by_queue) == {"ssi", "reminders"}
    ssi, reminders = by_queue["ssi"], by_queue["reminders"]
    assert (ssi.not_due, ssi.d0_1, ssi.d2_3, ssi.d4_7, ssi.over_7) == (1, 2, 1, 1, 0)
    assert (ssi.total, ssi.due_today, ssi.overdue, ssi.claimed) == (5, 1, 3, 1)
    assert (reminders.d4_7, reminders.over_7, reminders.total, reminders.overdue) == (1, 1, 2, 2)
    assert (backlog.total.total, backlog.total.due_today, backlog.total.overdue) == (7, 1, 5)
    assert backlog.per_rule == {scene["ssi"].pk: 5, scene["reminders"].pk: 2}


def test_closed_figures_of_the_day(world, scene):
    queues, total = selectors.board_closed(scope_of(world), period=selectors.Period.of("day", TODAY))
    assert (total.closed, total.in_window, total.reached, total.attempts) == (4, 1, 2, 6)
    assert total.in_window_rate == 0.25 and total.reach_rate == 0.5 and total.attempts_per_task == 1.5
    by_queue = {q.queue: (q.closed, q.in_window, q.reached, q.attempts) for q in queues}
    assert by_queue == {"ssi": (3, 1, 2, 6), "reminders": (1, 0, 0, 0)}


def test_closed_figures_of_the_week_take_the_evening_before(world, scene):
    _queues, total = selectors.board_closed(scope_of(world), period=selectors.Period.of("week", TODAY))
    assert (total.closed, total.in_window, total.reached, total.attempts) == (5, 2, 3, 7)


def test_week_runs_monday_to_sunday():
    period = selectors.Period.of("week", TODAY)
    assert (period.start, period.last_day) == (date(2026, 3, 9), date(2026, 3, 15))


def test_agent_figures_and_agent_hours(world, scene):
    rows, total = selectors.board_agents(scope_of(world), period=selectors.Period.of("day", TODAY))
    by_id = {row.user_id: row for row in rows}
    agent = by_id[world.principals["cc_agent"].user.pk]
    assert (agent.calls, agent.reached, agent.talk_s, agent.held) == (3, 2, 480, 1)
    assert agent.agent_hours == pytest.approx(2 + 5 / 60)  # 09:00 to the end of the 11:00 call (11:05)
    supervisor = by_id[world.principals["cc_supervisor"].user.pk]
    assert (supervisor.calls, supervisor.reached, supervisor.agent_hours) == (1, 1, 1)  # one minute counts an hour
    assert total.calls == 4 and total.calls_per_hour == pytest.approx(4 / (3 + 5 / 60))
    week, _total = selectors.board_agents(scope_of(world), period=selectors.Period.of("week", TODAY))
    agent_week = {row.user_id: row for row in week}[world.principals["cc_agent"].user.pk]
    assert agent_week.calls == 4 and agent_week.agent_hours == pytest.approx(3 + 5 / 60)  # plus one hour on the 10th


def test_calls_by_hour(world, scene):
    hours = selectors.board_calls_by_hour(scope_of(world), period=selectors.Period.of("day", TODAY))
    assert hours == [{"hour": 9, "calls": 2, "reached": 1}, {"hour": 11, "calls": 1, "reached": 1},
                     {"hour": 14, "calls": 1, "reached": 1}]


def test_board_page_shows_the_figures_with_their_definitions_and_charts(world, scene):
    response = browser(world, "cc_supervisor").get("/callcenter/board/")
    assert response.status_code == 200
    context = response.context
    assert context["closed_total"]["in_window_rate"] == "25.0%" and context["closed_total"]["reach_rate"] == "50.0%"
    assert context["calls_per_agent_hour"] == "1.3"
    chart = context["backlog_chart"]
    assert chart["xAxis"]["data"] == ["reminders", "ssi"]
    assert [s["data"] for s in chart["series"]] == [[0, 1], [0, 2], [0, 1], [1, 1], [1, 0]]
    html = response.content.decode()
    assert html.count('class="chart-pair"') == 2 and "echarts.min.js" in html
    assert "Reached ÷ tasks closed in the period" in html
    assert "Pause" in html and 'hx-trigger="every 60s"' in html


def test_agents_page_lists_held_tasks_with_actions_for_supervisors(world, scene):
    response = browser(world, "cc_supervisor").get("/callcenter/board/agents/")
    assert [task.pk for task in response.context["held"]] == [scene["held"].pk]
    html = response.content.decode()
    assert f"/callcenter/board/tasks/{scene['held'].pk}/release/" in html
    assert f"/callcenter/board/tasks/{scene['held'].pk}/reassign/" in html
    analyst = browser(world, "oem_analyst").get("/callcenter/board/agents/").content.decode()
    assert "/release/" not in analyst and "/reassign/" not in analyst


def test_a_chosen_week_and_a_wrong_date(world, scene):
    client = browser(world, "cc_supervisor")
    week = client.get("/callcenter/board/", {"period": "week", "on": "2026-03-10"})
    assert week.context["closed_total"]["closed"] == 5
    wrong = client.get("/callcenter/board/", {"on": "2026-02-30"})
    assert wrong.status_code == 400 and wrong.context["period_form"].errors["on"]
    assert wrong.context["period"].start == TODAY
    future = client.get("/callcenter/board/", {"on": "2026-03-12"})
    assert future.status_code == 400


def test_the_refresh_gets_the_figures_alone(world, scene):
    response = browser(world, "cc_supervisor").get("/callcenter/board/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'class="figures"' in html and "rules-title" not in html


def test_widget_for_supervisors(world, scene):
    response = browser(world, "cc_supervisor").get("/")
    widget = next(w for w in response.context["widgets"] if w["code"] == "callcenter_board")
    assert (widget["board"].backlog.total, widget["board"].backlog.overdue, widget["board"].held) == (7, 5, 1)
    assert widget["board"].calls == 4 and widget["reach_rate"] == "75.0%"
    analyst = browser(world, "oem_analyst").get("/")
    assert "callcenter_board" not in [w["code"] for w in analyst.context["widgets"]]


# The supervisor's actions

@pytest.mark.parametrize("name", ["oem_analyst", "cc_agent", "dealer_manager", "region_manager"])
def test_only_supervisors_act(world, scene, name):
    client = browser(world, name)
    held, rule = scene["held"], scene["ssi"]
    assert client.post(f"/callcenter/board/tasks/{held.pk}/release/").status_code == 403
    supervisor = world.principals["cc_supervisor"].user
    assert client.post(f"/callcenter/board/tasks/{held.pk}/reassign/", {"agent": supervisor.pk}).status_code == 403
    assert client.post(f"/callcenter/board/rules/{rule.pk}/pause/", {"active": "0"}).status_code == 403
    held.refresh_from_db()
    rule.refresh_from_db()
    assert held.status == TaskStatus.CLAIMED and held.assigned_to_id == world.principals["cc_agent"].user.pk
    assert rule.is_active


@pytest.mark.parametrize("name", sorted(SUPERVISORS))
def test_supervisor_releases_a_held_task(world, scene, name):
    held = scene["held"]
    response = browser(world, name).post(f"/callcenter/board/tasks/{held.pk}/release/",
                                         {"next": "/callcenter/board/agents/?period=week"})
    assert response.status_code == 302 and response["Location"] == "/callcenter/board/agents/?period=week"
    held.refresh_from_db()
    assert held.status == TaskStatus.OPEN and held.assigned_to_id is None


def test_release_of_a_task_nobody_holds_is_an_error_not_a_crash(world, scene):
    task = FollowUpTask.objects.filter(status=TaskStatus.OPEN, queue="ssi").first()
    response = browser(world, "cc_supervisor").post(f"/callcenter/board/tasks/{task.pk}/release/",
                                                    {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/callcenter/board/agents/"


def test_supervisor_reassigns_a_held_task(world, scene):
    held, supervisor = scene["held"], world.principals["cc_supervisor"].user
    other = UserFactory(role=Role.CC_AGENT, dealer=None, tenant=world.tenants["A"], full_name="王小明")
    response = browser(world, "cc_supervisor").post(f"/callcenter/board/tasks/{held.pk}/reassign/",
                                                    {"agent": other.pk})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == TaskStatus.CLAIMED and held.assigned_to_id == other.pk
    assert held.claimed_until > timezone.now()
    assert supervisor.pk != other.pk


@pytest.mark.parametrize("who", ["other_tenant_agent", "dealer_manager", "inactive_agent"])
def test_reassign_refuses_who_may_not_work_it_with_a_form_error(world, scene, who):
    held = scene["held"]
    agent = {
        "other_tenant_agent": lambda: UserFactory(role=Role.CC_AGENT, dealer=None, tenant=world.tenants["B"]),
        "dealer_manager": lambda: world.principals["dealer_manager"].user,
        "inactive_agent": lambda: UserFactory(role=Role.CC_AGENT, dealer=None, tenant=world.tenants["A"],
                                              is_active=False),
    }[who]()
    response = browser(world, "cc_supervisor").post(f"/callcenter/board/tasks/{held.pk}/reassign/",
                                                    {"agent": agent.pk})
    assert response.status_code == 400
    row = next(task for task in response.context["held"] if task.pk == held.pk)
    assert row.reassign_form.errors["agent"]
    assert 'role="alert"' in response.content.decode()
    held.refresh_from_db()
    assert held.assigned_to_id == world.principals["cc_agent"].user.pk


def test_reassign_with_no_agent_chosen_is_a_form_error_on_the_page_it_came_from(world, scene):
    response = browser(world, "cc_supervisor").post(f"/callcenter/board/tasks/{scene['held'].pk}/reassign/",
                                                    {"next": "/callcenter/board/agents/?period=week&on=2026-03-10"})
    assert response.status_code == 400
    assert response.context["period"].kind == "week" and response.context["period"].start == date(2026, 3, 9)
    assert 'name="next" value="/callcenter/board/agents/?period=week&amp;on=2026-03-10"' in response.content.decode()


def test_reassign_of_a_dealer_task_to_an_agent_is_refused_by_the_service(world, scene):
    task = FollowUpTask.objects.filter(queue="reminders", status=TaskStatus.OPEN).first()
    task.status, task.assigned_to = TaskStatus.CLAIMED, world.principals["cc_agent"].user
    task.save()
    response = browser(world, "cc_supervisor").post(f"/callcenter/board/tasks/{task.pk}/reassign/",
                                                    {"agent": world.principals["cc_supervisor"].user.pk})
    assert response.status_code == 400
    row = next(t for t in response.context["held"] if t.pk == task.pk)
    assert row.reassign_form.errors


def test_another_tenants_task_or_rule_answers_404(world, scene):
    foreign = TaskFactory(rule=scene["foreign_rule"], dealer=world.dealers["B1"], status=TaskStatus.CLAIMED)
    client = browser(world, "cc_supervisor")
    assert client.post(f"/callcenter/board/tasks/{foreign.pk}/release/").status_code == 404
    agent = world.principals["cc_agent"].user
    assert client.post(f"/callcenter/board/tasks/{foreign.pk}/reassign/", {"agent": agent.pk}).status_code == 404
    assert client.post(f"/callcenter/board/rules/{scene['foreign_rule'].pk}/pause/",
                       {"active": "0"}).status_code == 404
    assert client.post("/callcenter/board/tasks/999999999/release/").status_code == 404


def test_get_on_an_action_is_not_allowed(world, scene):
    client = browser(world, "cc_supervisor")
    assert client.get(f"/callcenter/board/tasks/{scene['held'].pk}/reassign/").status_code == 405
    assert client.get(f"/callcenter/board/tasks/{scene['held'].pk}/release/").status_code == 405


@pytest.mark.parametrize("name", sorted(SUPERVISORS))
def test_supervisor_pauses_and_resumes_a_rule(world, scene, name):
    rule, client = scene["ssi"], browser(world, name)
    assert client.post(f"/callcenter/board/rules/{rule.pk}/pause/", {"active": "0"}).status_code == 302
    assert not FollowUpRule.objects.get(pk=rule.pk).is_active
    assert client.post(f"/callcenter/board/rules/{rule.pk}/pause/", {"active": "1"}).status_code == 302
    assert FollowUpRule.objects.get(pk=rule.pk).is_active


# Query count

# Around every page: the session, the user, entering row-level security and leaving it (4).
# The queues page: backlog by queue × rule, closed tasks by queue, calls by agent × day, calls by hour, rules (5).
# The agents page: active agents, calls by agent × day, held tasks by agent, the held tasks (4).
@pytest.mark.parametrize(("url", "expected"), [("/callcenter/board/", 9), ("/callcenter/board/agents/", 8)])
def test_board_pages_run_a_fixed_number_of_queries(world, scene, url, expected):
    assert count_queries(browser(world, "cc_supervisor"), url) == expected


@pytest.mark.parametrize("url", ["/callcenter/board/", "/callcenter/board/agents/",
                                 "/callcenter/board/?period=week", "/"])
def test_query_count_does_not_grow_with_queues_agents_or_tasks(world, scene, url):
    client = browser(world, "cc_supervisor")
    before = count_queries(client, url)
    a1 = world.dealers["A1"]
    for n in range(4):
        rule = RuleFactory(tenant=a1.tenant, code=f"extra-{n}", queue=f"queue-{n}")
        agent = UserFactory(role=Role.CC_AGENT, dealer=None, tenant=a1.tenant)
        for due in range(3):
            TaskFactory(rule=rule, dealer=a1, due_on=TODAY - timedelta(days=due * 4))
        TaskFactory(rule=rule, dealer=a1, status=TaskStatus.CLAIMED, assigned_to=agent,
                    claimed_until=NOW + timedelta(minutes=5))
        TaskFactory(rule=rule, dealer=a1, status=TaskStatus.DONE, outcome=Outcome.REACHED, closed_at=local(TODAY, 8))
        CallFactory(dealer=a1, agent=agent, started_at=local(TODAY, 8 + n))
    assert count_queries(client, url) == before
