"""factory_boy factories of the call center: calendars and their exceptions, follow-up rules, tasks and runs.

Tenant and dealer stay consistent: a task's rule, customer and vehicle belong to the task's dealer's tenant.
"""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from callcenter import choices
from callcenter.models import CalendarException, Call, FollowUpRule, FollowUpRun, FollowUpTask, WorkingCalendar
from tests.customers.factories import CustomerFactory
from tests.dealers.factories import DealerFactory, TenantFactory


class WorkingCalendarFactory(factory.django.DjangoModelFactory):
    """The tenant's calendar (dealer None, the default) or, with dealer=…, that dealer's own calendar."""

    class Meta:
        model = WorkingCalendar

    dealer = None
    tenant = factory.LazyAttribute(lambda o: o.dealer.tenant if o.dealer else TenantFactory())


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarException

    calendar = factory.SubFactory(WorkingCalendarFactory)
    tenant = factory.SelfAttribute("calendar.tenant")
    day = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n % 365))
    is_working = False
    note = ""


class FollowUpRuleFactory(factory.django.DjangoModelFactory):
    """A call-center rule on delivered sales (delivery + 3 days), active, for service follow-up."""

    class Meta:
        model = FollowUpRule

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"rule-{n}")
    name = factory.Sequence(lambda n: f"回访规则{n}")
    trigger = choices.Trigger.SALE_DELIVERED
    offset_days = 3
    queue = "ssi"
    worked_by = choices.WorkedBy.CALL_CENTER
    purpose = choices.Purpose.SERVICE
    due_window_days = 7
    max_attempts = 3
    priority = 5
    script = "{customer}您好，我是{dealer}的{agent}。"
    is_active = True


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    """An open task of `dealer`, for a customer of that dealer, under a rule of the same tenant."""

    class Meta:
        model = FollowUpTask

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    rule = factory.SubFactory(FollowUpRuleFactory, tenant=factory.SelfAttribute("..tenant"))
    queue = factory.SelfAttribute("rule.queue")
    worked_by = factory.SelfAttribute("rule.worked_by")
    priority = factory.SelfAttribute("rule.priority")
    customer = factory.SubFactory(CustomerFactory, dealer=factory.SelfAttribute("..dealer"))
    vehicle = None
    subject_id = factory.Sequence(lambda n: 1_000_000 + n)
    trigger_on = date(2026, 3, 2)
    occurrence = factory.SelfAttribute("trigger_on")
    due_on = factory.LazyAttribute(lambda o: o.trigger_on + timedelta(days=o.rule.offset_days))
    expires_on = factory.LazyAttribute(lambda o: o.due_on + timedelta(days=o.rule.due_window_days))
    status = choices.TaskStatus.OPEN


class FollowUpRunFactory(factory.django.DjangoModelFactory):
    """A finished generation run for a date, with the per-rule rows given (none by default)."""

    class Meta:
        model = FollowUpRun

    tenant = factory.SubFactory(TenantFactory)
    run_on = date(2026, 3, 5)
    source = choices.RunSource.BEAT
    finished_at = factory.LazyFunction(timezone.now)
    per_rule = factory.LazyFunction(list)


class CallFactory(factory.django.DjangoModelFactory):
    """An outbound call of `dealer` that reached the customer, a minute long, just now."""

    class Meta:
        model = Call

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    direction = choices.Direction.OUTBOUND
    started_at = factory.LazyFunction(timezone.now)
    duration_s = 60
    outcome = choices.Outcome.REACHED

