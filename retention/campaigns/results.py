"""What a launched campaign achieved, called group against control: contacted, reached, booked, returned.

Definitions (shown on the page):
- contacted: at least one call attempt on the member's campaign task; the contact moment is the first such call;
- reached: someone answered (reached, refused or asked to call back, as the call-center board counts it);
- booked: a service booking, not cancelled, taken on one of those calls;
- returned: a service visit of the customer (any of their vehicles, at any dealer of the network) opened after the
  reference moment and at most RETURN_DAYS days after it. The reference moment is the first contact, or the launch
  for members never contacted and for the control group, who are never called. Rates are over every member of the
  group (intention to treat), so the comparison keeps the random draw.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from callcenter.choices import REACHED_OUTCOMES

from ..selectors import rate
from .models import CALL_WINDOW_DAYS, RETURN_DAYS, Campaign, MemberGroup
from .stats import Difference, newcombe

REACHED = list(REACHED_OUTCOMES)  # the call center's definition, as the board counts it

OUTCOMES_SQL = """
WITH m AS (
    SELECT m.id, m."group", m.customer_id, m.task_id FROM retention_campaignmember m
    WHERE m.campaign_id = %(campaign)s AND m.tenant_id = %(tenant)s {only}
), touched AS (
    SELECT m.*, t.attempts > 0 AS contacted, t.outcome,
           CASE WHEN t.attempts > 0 THEN COALESCE(
               (SELECT min(c.started_at) FROM callcenter_call c WHERE c.follow_up_id = m.task_id),
               -- worked as part of another task's call (one call per customer): that call
               (SELECT min(c.started_at) FROM callcenter_call c
                WHERE c.customer_id = m.customer_id AND c.direction = 'outbound' AND c.follow_up_id IS NOT NULL
                  AND c.started_at >= %(launched)s),
               %(launched)s) END AS contacted_at
    FROM m LEFT JOIN callcenter_followuptask t ON t.id = m.task_id
), outcomes AS (
    SELECT touched.*, COALESCE(contacted_at, %(launched)s) AS ref_at,
           COALESCE(contacted, false) AS was_contacted,
           COALESCE(contacted, false) AND (outcome = ANY(%(reached)s) OR EXISTS (
               SELECT 1 FROM callcenter_call c WHERE c.follow_up_id = task_id AND c.outcome = ANY(%(reached)s)))
               AS was_reached,
           EXISTS (SELECT 1 FROM callcenter_servicebooking b JOIN callcenter_call c ON c.id = b.call_id
                   WHERE c.follow_up_id = task_id AND b.status <> 'cancelled') AS was_booked
    FROM touched
), returned AS (
    SELECT outcomes.*, (
        SELECT min(sv.opened_at) FROM vehicles_servicevisit sv JOIN vehicles_vehicle v ON v.id = sv.vehicle_id
        WHERE sv.tenant_id = %(tenant)s AND COALESCE(sv.customer_id, v.owner_id) = outcomes.customer_id
          AND sv.opened_at > outcomes.ref_at AND sv.opened_at < %(until)s
          AND (sv.opened_at AT TIME ZONE %(tz)s)::date
              <= (outcomes.ref_at AT TIME ZONE %(tz)s)::date + %(days)s
    ) AS returned_at
    FROM outcomes
)
"""
GROUPS_SQL = OUTCOMES_SQL + """
SELECT "group", count(*), count(*) FILTER (WHERE was_contacted), count(*) FILTER (WHERE was_reached),
       count(*) FILTER (WHERE was_booked), count(*) FILTER (WHERE returned_at IS NOT NULL)
FROM returned WHERE "group" <> 'excluded' GROUP BY 1
"""
MEMBERS_SQL = OUTCOMES_SQL + """
SELECT id, CASE WHEN was_contacted THEN contacted_at END, was_reached, was_booked, returned_at FROM returned
"""


@dataclass
class GroupFigures:
    """One group's counts; rates are over its members."""

    group: str
    members: int = 0
    contacted: int = 0
    reached: int = 0
    booked: int = 0
    returned: int = 0

    def rate(self, name: str) -> float | None:
        return rate(getattr(self, name), self.members)


@dataclass
class Results:
    """Called against control, the difference of their return rates with its 95 % interval, and whether it is final."""

    called: GroupFigures
    control: GroupFigures
    difference: Difference
    final_on: dt.date
    as_of: dt.date
    excluded: dict = field(default_factory=dict)

    @property
    def too_early(self) -> bool:
        return self.as_of < self.final_on


def final_on(campaign: Campaign) -> dt.date:
    """The day every member's 90 days are over: the last day a task can be called, plus RETURN_DAYS."""
    launched = timezone.localdate(campaign.launched_at)
    return launched + dt.timedelta(days=CALL_WINDOW_DAYS + RETURN_DAYS)


def _params(campaign: Campaign, now: dt.datetime) -> dict:
    return {"campaign": campaign.pk, "tenant": campaign.tenant_id, "launched": campaign.launched_at,
            "reached": [str(o) for o in REACHED], "until": now, "tz": str(timezone.get_current_timezone()),
            "days": RETURN_DAYS}


def _only(dealer_ids) -> tuple[str, dict]:
    """A dealer-bound scope counts only its own dealers' members."""
    if dealer_ids is None:
        return "", {}
    return "AND m.dealer_id = ANY(%(dealers)s)", {"dealers": sorted(dealer_ids)}


def campaign_results(scope, campaign: Campaign, now: dt.datetime | None = None) -> Results | None:
    """The launched campaign's figures per group, in one statement; None before the launch."""
    if not campaign.is_launched:
        return None
    now = now or timezone.now()
    only, extra = _only(scope.dealer_ids)
    with connection.cursor() as cursor:
        cursor.execute(GROUPS_SQL.format(only=only), _params(campaign, now) | extra)
        rows = {row[0]: GroupFigures(*row) for row in cursor.fetchall()}
    called = rows.get(MemberGroup.CALLED) or GroupFigures(MemberGroup.CALLED)
    control = rows.get(MemberGroup.CONTROL) or GroupFigures(MemberGroup.CONTROL)
    return Results(called=called, control=control,
                   difference=newcombe(called.returned, called.members, control.returned, control.members),
                   final_on=final_on(campaign), as_of=timezone.localdate(now),
                   excluded=(campaign.launch_result or {}).get("excluded", {}))


def member_outcomes(scope, campaign: Campaign, now: dt.datetime | None = None) -> dict[int, tuple]:
    """member id → (contacted at, reached, booked, returned at), in one statement."""
    if not campaign.is_launched:
        return {}
    now = now or timezone.now()
    only, extra = _only(scope.dealer_ids)
    with connection.cursor() as cursor:
        cursor.execute(MEMBERS_SQL.format(only=only), _params(campaign, now) | extra)
        return {row[0]: row[1:] for row in cursor.fetchall()}
