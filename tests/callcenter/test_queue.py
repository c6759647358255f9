"""The queue: claim-next with a lease and bundles, outcomes, retries to unreachable, callbacks, calling windows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from callcenter.choices import Outcome, TaskStatus
from callcenter.models import CalendarException, Call, FollowUpTask, NumberFlag, WorkingCalendar
from callcenter.queue import (
    OutcomeInput,
    OutsideCallingWindow,
    followup_claim_next,
    followup_outcome,
    followup_reassign,
    followup_release,
    followups_sweep,
)
from customers.models import DoNotCallChange

from .queue_world import at, callable_customer, rules, task

TODAY = dt.date(2026, 3, 2)  # a Monday
NOW = at("2026-03-02", "10:00")


@pytest.fixture
def q(world):
    tenant, a1 = world.tenants["A"], world.dealers["A1"]
    return rules(tenant), a1


def agent(world, name="cc_agent"):
    return world.principals[name].scope


def claim(scope, now=NOW, queue=""):
    return followup_claim_next(scope=scope, queue=queue, now=now)


def test_claim_takes_priority_then_due_date_and_holds_it_under_a_lease(world, q):
    by_code, a1 = q
    later = task(by_code["service"], callable_customer(a1), a1, due_on=TODAY - dt.timedelta(days=2))
    urgent = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)  # priority 2 beats 3
    task(by_code["service"], callable_customer(a1), a1, due_on=TODAY + dt.timedelta(days=1))  # not due yet
    first = claim(agent(world))
    assert [t.pk for t in first] == [urgent.pk]
    urgent.refresh_from_db()
    assert urgent.status == TaskStatus.CLAIMED and urgent.assigned_to == world.principals["cc_agent"].user
    assert urgent.claimed_until == NOW + dt.timedelta(minutes=15)
    second = claim(agent(world, "cc_supervisor"))
    assert [t.pk for t in second] == [later.pk]
    assert claim(agent(world)) == []


def test_one_customers_due_tasks_are_one_call(world, q):
    by_code, a1 = q
    customer = callable_customer(a1)
    one = task(by_code["delivery"], customer, a1, due_on=TODAY)
    two = task(by_code["birthday"], customer, a1, due_on=TODAY - dt.timedelta(days=1))
    other = task(by_code["service"], callable_customer(a1), a1, due_on=TODAY)
    claimed = claim(agent(world))
    assert {t.pk for t in claimed} == {one.pk, two.pk}
    followup_outcome(scope=agent(world), task=one, data=OutcomeInput(outcome=Outcome.REACHED), now=NOW)
    assert set(FollowUpTask.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)) == {"done"}
    assert Call.objects.get().follow_up_id == one.pk
    other.refresh_from_db()
    assert other.status == TaskStatus.OPEN


def test_a_lapsed_lease_returns_the_task_to_the_queue(world, q):
    by_code, a1 = q
    held = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    assert claim(agent(world, "cc_supervisor"), now=NOW + dt.timedelta(minutes=10)) == []
    later = NOW + dt.timedelta(minutes=16)
    assert [t.pk for t in claim(agent(world, "cc_supervisor"), now=later)] == [held.pk]
    held.refresh_from_db()
    assert held.assigned_to == world.principals["cc_supervisor"].user
    with pytest.raises(PermissionDenied):  # the first agent lost it
        followup_outcome(scope=agent(world), task=held, data=OutcomeInput(outcome=Outcome.REACHED), now=later)


def test_no_answer_comes_back_after_its_spacing_then_unreachable_at_the_limit(world, q):
    by_code, a1 = q
    rule = by_code["delivery"]
    rule.max_attempts = 2
    rule.save()
    t = task(rule, callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    followup_outcome(scope=agent(world), task=t, data=OutcomeInput(outcome=Outcome.NO_ANSWER), now=NOW)
    t.refresh_from_db()
    assert t.status == TaskStatus.OPEN and t.attempts == 1 and t.assigned_to is None
    assert t.next_attempt_at == NOW + dt.timedelta(minutes=120)
    assert claim(agent(world), now=NOW + dt.timedelta(minutes=119)) == []
    assert [x.pk for x in claim(agent(world), now=NOW + dt.timedelta(minutes=120))] == [t.pk]
    followup_outcome(scope=agent(world), task=t, data=OutcomeInput(outcome=Outcome.BUSY),
                     now=NOW + dt.timedelta(minutes=121))
    t.refresh_from_db()
    assert t.status == TaskStatus.UNREACHABLE and t.closed_at is not None and t.attempts == 2


def test_a_retry_after_the_calling_window_moves_to_the_next_working_morning(world, q):
    by_code, a1 = q
    t = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    late = at("2026-03-06", "19:30")  # Friday evening
    claim(agent(world), now=late)
    followup_outcome(scope=agent(world), task=t, data=OutcomeInput(outcome=Outcome.NO_ANSWER), now=late)
    t.refresh_from_db()
    assert t.next_attempt_at == at("2026-03-09", "09:00")


def test_nothing_is_claimed_outside_the_calling_window_or_on_a_holiday(world, q):
    by_code, a1 = q
    task(by_code["delivery"], callable_customer(a1), a1, due_on=dt.date(2026, 2, 10))
    with pytest.raises(OutsideCallingWindow) as evening:
        claim(agent(world), now=at("2026-03-02", "20:00"))
    assert evening.value.next_slot == at("2026-03-03", "09:00")
    with pytest.raises(OutsideCallingWindow) as festival:
        claim(agent(world), now=at("2026-02-17", "10:00"))  # Spring Festival
    assert festival.value.next_slot == at("2026-02-24", "09:00")
    assert claim(agent(world), now=at("2026-02-14", "10:00"))  # a make-up Saturday is worked


def test_an_exception_closes_a_day_for_the_dealers_own_staff(world, q):
    by_code, a1 = q
    calendar = WorkingCalendar.objects.create(tenant=a1.tenant, dealer=a1)
    CalendarException.objects.create(tenant=a1.tenant, calendar=calendar, day=TODAY, is_working=False)
    task(by_code["maintenance"], callable_customer(a1), a1, due_on=TODAY, worked_by="dealer")
    with pytest.raises(OutsideCallingWindow):
        claim(agent(world, "service_advisor"))
    assert claim(agent(world, "cc_agent")) == []  # the call center's calendar is the tenant's; no call-center task


def test_dealer_staff_work_only_their_stores_dealer_rules(world, q):
    by_code, a1 = q
    a2 = world.dealers["A2"]
    theirs = task(by_code["maintenance"], callable_customer(a1), a1, due_on=TODAY, worked_by="dealer")
    task(by_code["maintenance"], callable_customer(a2), a2, due_on=TODAY, worked_by="dealer")
    task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    assert [t.pk for t in claim(agent(world, "service_advisor"))] == [theirs.pk]
    assert claim(agent(world, "sales_consultant")) == []
    assert [t.worked_by for t in claim(agent(world, "cc_agent"))] == ["call_center"]
    with pytest.raises(PermissionDenied):
        claim(agent(world, "oem_analyst"))


def test_callback_stays_with_its_agent_then_opens_to_all_after_the_grace(world, q):
    by_code, a1 = q
    t = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    when = at("2026-03-02", "15:00")
    followup_outcome(scope=agent(world), task=t, data=OutcomeInput(outcome=Outcome.CALLBACK, callback_at=when),
                     now=NOW)
    t.refresh_from_db()
    assert t.status == TaskStatus.OPEN and t.callback_at == when and t.assigned_to_id == agent(world).user_id
    supervisor = agent(world, "cc_supervisor")
    assert claim(supervisor, now=when) == []
    assert claim(supervisor, now=when + dt.timedelta(minutes=29)) == []
    assert [x.pk for x in claim(agent(world), now=when)] == [t.pk]
    followup_release(scope=agent(world), task=t, now=when)
    assert [x.pk for x in claim(supervisor, now=when + dt.timedelta(minutes=1))] == [t.pk]


def test_a_callback_time_is_checked(world, q):
    by_code, a1 = q
    t = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    for bad in (None, NOW - dt.timedelta(minutes=1), at("2026-04-20")):
        with pytest.raises(ValidationError) as exc:
            followup_outcome(scope=agent(world), task=t, data=OutcomeInput(outcome=Outcome.CALLBACK,
                                                                           callback_at=bad), now=NOW)
        assert "callback_at" in exc.value.message_dict
    followup_outcome(scope=agent(world), task=t, data=OutcomeInput(outcome=Outcome.CALLBACK,
                                                                   callback_at=at("2026-03-02", "21:00")), now=NOW)
    t.refresh_from_db()
    assert t.callback_at == at("2026-03-03", "09:00")  # moved into the calling window


def test_wrong_number_flags_it_and_refused_can_set_do_not_call(world, q):
    by_code, a1 = q
    wrong = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    followup_outcome(scope=agent(world), task=wrong, data=OutcomeInput(outcome=Outcome.WRONG_NUMBER), now=NOW)
    wrong.refresh_from_db()
    assert wrong.status == TaskStatus.UNREACHABLE
    assert NumberFlag.objects.get().number == wrong.customer.mobile
    refused = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    followup_outcome(scope=agent(world), task=refused,
                     data=OutcomeInput(outcome=Outcome.REFUSED, do_not_call=True, notes="不要再打"), now=NOW)
    refused.refresh_from_db()
    refused.customer.refresh_from_db()
    assert refused.status == TaskStatus.DONE and refused.customer.do_not_call
    assert DoNotCallChange.objects.get(customer=refused.customer).do_not_call


def test_answers_are_checked_against_the_rules_questions(world, q):
    by_code, a1 = q
    t = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    with pytest.raises(ValidationError) as exc:
        followup_outcome(scope=agent(world), task=t, data=OutcomeInput(
            outcome=Outcome.REACHED, answers={"satisfied": 9, "nonsense": 1}), now=NOW)
    assert set(exc.value.message_dict) == {"answers.satisfied", "answers.nonsense"}
    followup_outcome(scope=agent(world), task=t, data=OutcomeInput(
        outcome=Outcome.REACHED, answers={"satisfied": "4", "explained": "yes"}), now=NOW)
    t.refresh_from_db()
    assert t.answers == {"satisfied": 4, "explained": True}


def test_supervisor_reassigns_only_to_someone_who_may_work_it(world, q):
    by_code, a1 = q
    t = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    supervisor = agent(world, "cc_supervisor")
    with pytest.raises(ValidationError):
        followup_reassign(scope=supervisor, task=t, agent=world.principals["service_advisor"].user, now=NOW)
    followup_reassign(scope=supervisor, task=t, agent=world.principals["cc_supervisor"].user, now=NOW)
    t.refresh_from_db()
    assert t.assigned_to == world.principals["cc_supervisor"].user and t.status == TaskStatus.CLAIMED
    with pytest.raises(PermissionDenied):
        followup_release(scope=agent(world), task=t, now=NOW)


def test_the_sweep_releases_lapsed_leases_and_expires_old_tasks(world, q):
    by_code, a1 = q
    held = task(by_code["delivery"], callable_customer(a1), a1, due_on=TODAY)
    claim(agent(world))
    old = task(by_code["service"], callable_customer(a1), a1, due_on=TODAY - dt.timedelta(days=8))
    assert followups_sweep(tenant_id=a1.tenant_id, now=NOW + dt.timedelta(minutes=16)) == (1, 1)
    held.refresh_from_db()
    old.refresh_from_db()
    assert held.status == TaskStatus.OPEN and held.assigned_to is None and old.status == TaskStatus.EXPIRED
    assert followups_sweep(tenant_id=a1.tenant_id, now=NOW + dt.timedelta(minutes=16)) == (0, 0)
