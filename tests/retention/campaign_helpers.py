"""Hand-built campaign worlds: lapsed customers who may or may not be called, calls and visits on local dates."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from callcenter.models import Call, FollowUpTask
from crm_site.scope import Scope
from customers.models import ConsentRecord
from dealers.principals import scope_for_user
from retention.campaigns.services import campaign_create, campaign_launch

from .helpers import T, build, sold

LAUNCH_DAY = T + dt.timedelta(days=1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A local moment on a day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def marketing_consent(customer, granted: bool = True) -> None:
    ConsentRecord.objects.create(tenant_id=customer.tenant_id, customer=customer, channel="phone",
                                 purpose="marketing", granted=granted, source="counter")


def lapsed_car(dealer, *, consent: bool = True, **owner):
    """A car the dealer sold 19 months before T that never came back (lapsed at T), its owner willing or not."""
    car = sold(dealer, dt.date(2024, 12, 1))
    if owner:
        for name, value in owner.items():
            setattr(car.owner, name, value)
        car.owner.save()
    if consent:
        marketing_consent(car.owner)
    return car


def scope_of(world, name: str) -> Scope:
    return scope_for_user(world.principals[name].user)


def make_campaign(world, *, by: str = "oem_analyst", dealer=None, share: int = 10, worked_by: str = "dealer",
                  **criteria):
    data = {"name": "老客户召回", "dealer": dealer, "criteria": {"states": ["lapsed"], **criteria},
            "script": "{customer}您好，我是{dealer}的{agent}，欢迎回店保养。", "worked_by": worked_by,
            "control_share": share}
    return campaign_create(scope=scope_of(world, by), data=data)


def launch(world, campaign, *, by: str = "oem_analyst", day: dt.date = LAUNCH_DAY) -> dict:
    return campaign_launch(scope=scope_of(world, by), campaign=campaign, now=at(day, 9))


def drawn_first(campaign, customer_ids, n: int) -> set[int]:
    """The n customers whose md5(campaign:customer) sorts first: the control group, computed by hand."""
    def key(cid):
        return hashlib.md5(f"{campaign.pk}:{cid}".encode()).hexdigest(), cid  # noqa: S324 (a lot, not a secret)

    return set(sorted(customer_ids, key=key)[:n])


def call(task: FollowUpTask, when: dt.datetime, outcome: str = "reached") -> Call:
    """One outbound attempt on the task, as the call screen records it."""
    FollowUpTask.objects.filter(pk=task.pk).update(attempts=task.attempts + 1, outcome=outcome,
                                                   status="done" if outcome == "reached" else "open")
    task.refresh_from_db()
    return Call.objects.create(tenant_id=task.tenant_id, dealer_id=task.dealer_id, direction="outbound",
                               customer_id=task.customer_id, vehicle_id=task.vehicle_id, started_at=when,
                               outcome=outcome, follow_up=task)


__all__ = ["LAUNCH_DAY", "T", "at", "build", "call", "drawn_first", "lapsed_car", "launch", "make_campaign",
           "marketing_consent", "scope_of"]
