"""Shared set-up of the queue tests: tenant A's default rules and customers who may be called."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from callcenter.models import FollowUpRule, FollowUpTask
from callcenter.rules import rules_create_defaults
from customers.models import ConsentRecord
from tests.customers.factories import CustomerFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hhmm: str = "10:00") -> dt.datetime:
    """A Shanghai moment from '2026-03-02' and '10:00'."""
    return dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SHANGHAI)


def consent(customer, purpose: str = "service", granted: bool = True) -> None:
    ConsentRecord.objects.create(tenant_id=customer.tenant_id, customer=customer, channel="phone", purpose=purpose,
                                 granted=granted, source="counter")


def callable_customer(dealer, **kwargs):
    """A customer of the dealer who agreed to service calls."""
    customer = CustomerFactory(dealer=dealer, tenant=dealer.tenant, **kwargs)
    consent(customer)
    return customer


def rules(tenant) -> dict[str, FollowUpRule]:
    rules_create_defaults(tenant)
    return {rule.code: rule for rule in FollowUpRule.objects.filter(tenant=tenant)}


def task(rule: FollowUpRule, customer, dealer, *, due_on: dt.date, subject_id: int | None = None, **kwargs):
    """A task as generation would make it."""
    values = {"occurrence": due_on, "trigger_on": due_on, "expires_on": due_on + dt.timedelta(days=7),
              "priority": rule.priority, "queue": rule.queue, "worked_by": rule.worked_by}
    values.update(kwargs)
    return FollowUpTask.objects.create(tenant_id=rule.tenant_id, dealer=dealer, rule=rule, customer=customer,
                                       subject_id=subject_id or customer.pk, due_on=due_on, **values)
