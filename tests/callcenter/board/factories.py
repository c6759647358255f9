"""The board's factories: tasks placed by their due date (today by default), on the shared call-center factories."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from ..factories import CallFactory, FollowUpRuleFactory, FollowUpTaskFactory

RuleFactory = FollowUpRuleFactory


class TaskFactory(FollowUpTaskFactory):
    """A task due `due_on` (today by default), triggered three days before and expiring seven days after."""

    due_on = factory.LazyFunction(timezone.localdate)
    trigger_on = factory.LazyAttribute(lambda o: o.due_on - timedelta(days=3))
    occurrence = factory.SelfAttribute("due_on")
    expires_on = factory.LazyAttribute(lambda o: o.due_on + timedelta(days=7))
    priority = 5


__all__ = ["CallFactory", "RuleFactory", "TaskFactory"]
