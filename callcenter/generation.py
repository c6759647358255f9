"""Follow-up generation (DESIGN §9.2): one set-based INSERT … SELECT … ON CONFLICT DO NOTHING per rule.

For a date D, every subject whose trigger date + offset is on or before D and inside the due window gets one task
per rule × subject × occurrence (the unique constraint makes a re-run create nothing). Subjects that must not be
called are counted per reason in the same statement, and the run is logged with its counts (FollowUpRun).
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.utils import timezone

from crm_site.dates import months_back
from crm_site.scope import Scope

from .choices import SkipReason, Trigger
from .models import FollowUpRule, FollowUpRun
from .queue import followups_sweep
from .working_time import calendar_for

# Each trigger's candidates: (dealer_id, customer_id, vehicle_id, subject_id, occurrence, trigger_on) for trigger
# dates in [%(lo)s, %(hi)s] (moments in [%(lo_at)s, %(hi_at)s) for visits, which are timestamps).
CANDIDATES = {
    Trigger.SALE_DELIVERED: """
        SELECT s.dealer_id, s.customer_id, s.vehicle_id, s.id AS subject_id, s.delivered_on AS occurrence,
               s.delivered_on AS trigger_on
        FROM vehicles_sale s
        WHERE s.tenant_id = %(tenant)s AND s.delivered_on BETWEEN %(lo)s AND %(hi)s""",
    Trigger.VISIT_CLOSED: """
        SELECT v.dealer_id, COALESCE(v.customer_id, veh.owner_id) AS customer_id, v.vehicle_id, v.id AS subject_id,
               (v.closed_at AT TIME ZONE %(tz)s)::date AS occurrence, (v.closed_at AT TIME ZONE %(tz)s)::date
        FROM vehicles_servicevisit v JOIN vehicles_vehicle veh ON veh.id = v.vehicle_id
        WHERE v.tenant_id = %(tenant)s AND v.closed_at >= %(lo_at)s AND v.closed_at < %(hi_at)s
          AND COALESCE(v.customer_id, veh.owner_id) IS NOT NULL""",
    # Delivered long enough ago and never in for its first maintenance (首保): the selling store reminds.
    Trigger.FIRST_MAINTENANCE_DUE: """
        SELECT veh.selling_dealer_id, veh.owner_id, veh.id, veh.id AS subject_id, veh.delivered_on AS occurrence,
               veh.delivered_on
        FROM vehicles_vehicle veh
        WHERE veh.tenant_id = %(tenant)s AND veh.delivered_on BETWEEN %(lo)s AND %(hi)s
          AND veh.selling_dealer_id IS NOT NULL AND veh.owner_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM vehicles_servicevisit f
                          WHERE f.vehicle_id = veh.id AND f.kind = 'first_maintenance')""",
    # The vehicle's latest visit (no newer one exists), by the store that did it.
    Trigger.MAINTENANCE_DUE: """
        SELECT v.dealer_id, veh.owner_id, v.vehicle_id, v.vehicle_id AS subject_id,
               (v.opened_at AT TIME ZONE %(tz)s)::date AS occurrence, (v.opened_at AT TIME ZONE %(tz)s)::date
        FROM vehicles_servicevisit v JOIN vehicles_vehicle veh ON veh.id = v.vehicle_id
        WHERE v.tenant_id = %(tenant)s AND v.opened_at >= %(lo_at)s AND v.opened_at < %(hi_at)s
          AND veh.owner_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM vehicles_servicevisit n
                          WHERE n.vehicle_id = v.vehicle_id AND n.opened_at > v.opened_at)""",
    Trigger.INSURANCE_EXPIRY: """
        SELECT r.dealer_id, r.customer_id, r.vehicle_id, r.id AS subject_id, r.expires_on AS occurrence,
               r.expires_on
        FROM vehicles_relatedpurchase r
        WHERE r.tenant_id = %(tenant)s AND r.kind = 'insurance' AND r.expires_on BETWEEN %(lo)s AND %(hi)s""",
    # This year's (and, across New Year, next year's) birthday; 29 February is kept on 28 February otherwise.
    Trigger.BIRTHDAY: """
        SELECT d.dealer_id, c.id, NULL::bigint, c.id AS subject_id, b.day AS occurrence, b.day
        FROM customers_customer c
        CROSS JOIN LATERAL (
            SELECT make_date(y, EXTRACT(month FROM c.birth_date)::int,
                             LEAST(EXTRACT(day FROM c.birth_date)::int,
                                   EXTRACT(day FROM (make_date(y, EXTRACT(month FROM c.birth_date)::int, 1)
                                                     + interval '1 month - 1 day'))::int)) AS day
            FROM (SELECT DISTINCT y FROM unnest(ARRAY[%(lo_year)s, %(hi_year)s]::int[]) AS y) years) b
        CROSS JOIN LATERAL (
            SELECT cd.dealer_id FROM customers_customerdealer cd WHERE cd.customer_id = c.id
            ORDER BY (cd.kind = 'sold') DESC, cd.id LIMIT 1) d
        WHERE c.tenant_id = %(tenant)s AND c.birth_date IS NOT NULL AND c.merged_into_id IS NULL
          AND c.kind = 'person' AND b.day BETWEEN %(lo)s AND %(hi)s""",
    # Lapsed (DESIGN §4): 12 months since the last visit at the selling store, or since the delivery if it never came
    # back; found from the visits (and deliveries) of the slice 12 months earlier, so no pass over every vehicle.
    Trigger.LAPSED: """
        SELECT veh.selling_dealer_id, veh.owner_id, veh.id, veh.id AS subject_id,
               (last_day + interval '12 months')::date AS occurrence, (last_day + interval '12 months')::date
        FROM (
            SELECT v.vehicle_id, (v.opened_at AT TIME ZONE %(tz)s)::date AS last_day
            FROM vehicles_servicevisit v JOIN vehicles_vehicle sv ON sv.id = v.vehicle_id
            WHERE v.tenant_id = %(tenant)s AND v.opened_at >= %(lo_lapse_at)s AND v.opened_at < %(hi_lapse_at)s
              AND v.dealer_id = sv.selling_dealer_id
              AND NOT EXISTS (SELECT 1 FROM vehicles_servicevisit n WHERE n.vehicle_id = v.vehicle_id
                              AND n.dealer_id = v.dealer_id AND n.opened_at > v.opened_at)
            UNION ALL
            SELECT d.id, d.delivered_on FROM vehicles_vehicle d
            WHERE d.tenant_id = %(tenant)s AND d.delivered_on BETWEEN %(lo_lapse)s AND %(hi_lapse)s
              AND NOT EXISTS (SELECT 1 FROM vehicles_servicevisit n WHERE n.vehicle_id = d.id
                              AND n.dealer_id = d.selling_dealer_id)
        ) last JOIN vehicles_vehicle veh ON veh.id = last.vehicle_id
        WHERE veh.selling_dealer_id IS NOT NULL AND veh.owner_id IS NOT NULL AND veh.delivered_on IS NOT NULL""",
}

# Candidates not generated yet, classified: the first reason that applies, or NULL (to be created).
GENERATE_SQL = """
WITH cand (dealer_id, customer_id, vehicle_id, subject_id, occurrence, trigger_on) AS ({candidates}),
fresh AS (
    SELECT DISTINCT ON (cand.subject_id, cand.occurrence) cand.* FROM cand
    WHERE cand.dealer_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM callcenter_followuptask e
        WHERE e.rule_id = %(rule)s AND e.subject_id = cand.subject_id AND e.occurrence = cand.occurrence)
),
classified AS (
    SELECT fresh.*, CASE
        WHEN c.merged_into_id IS NOT NULL THEN 'customer_erased'
        WHEN c.do_not_call THEN 'do_not_call'
        WHEN veh.scrapped_on IS NOT NULL AND veh.scrapped_on <= %(day)s THEN 'vehicle_scrapped'
        WHEN c.mobile = '' THEN 'no_mobile'
        WHEN NOT COALESCE((SELECT cr.granted FROM customers_consentrecord cr
                           WHERE cr.customer_id = c.id AND cr.channel = 'phone' AND cr.purpose = %(purpose)s
                           ORDER BY cr.created_at DESC, cr.id DESC LIMIT 1), false) THEN 'no_consent'
        WHEN EXISTS (SELECT 1 FROM callcenter_followuptask o
                     WHERE o.rule_id = %(rule)s AND o.subject_id = fresh.subject_id
                       AND o.status IN ('open', 'claimed')) THEN 'open_task'
        END AS skip
    FROM fresh JOIN customers_customer c ON c.id = fresh.customer_id
    LEFT JOIN vehicles_vehicle veh ON veh.id = fresh.vehicle_id
),
created AS (
    INSERT INTO callcenter_followuptask (
        tenant_id, dealer_id, rule_id, queue, worked_by, customer_id, vehicle_id, subject_id, occurrence,
        trigger_on, due_on, expires_on, priority, status, attempts, outcome, notes, answers, created_at, updated_at)
    SELECT %(tenant)s, dealer_id, %(rule)s, %(queue)s, %(worked_by)s, customer_id, vehicle_id, subject_id,
           occurrence, trigger_on, trigger_on + %(offset)s, trigger_on + %(offset)s + %(window)s, %(priority)s,
           'open', 0, '', '', '{{}}'::jsonb, %(now)s, %(now)s
    FROM classified WHERE skip IS NULL
    ON CONFLICT (rule_id, subject_id, occurrence) DO NOTHING
    RETURNING 1
)
SELECT '#created', count(*) FROM created
UNION ALL SELECT '#candidates', count(DISTINCT (subject_id, occurrence)) FROM cand
UNION ALL SELECT skip, count(*) FROM classified WHERE skip IS NOT NULL GROUP BY skip
"""

# Open tasks whose customer has since asked not to be called, or was merged away, are not called.
CANCEL_SQL = """
UPDATE callcenter_followuptask t SET status = 'cancelled', closed_at = %(now)s, claimed_until = NULL,
       updated_at = %(now)s
FROM customers_customer c
WHERE t.tenant_id = %(tenant)s AND t.status = 'open' AND c.id = t.customer_id
  AND (c.do_not_call OR c.merged_into_id IS NOT NULL)
"""


def trigger_window(rule: FollowUpRule, day: dt.date) -> tuple[dt.date, dt.date]:
    """Trigger dates whose due date (+ offset) is on or before `day` and whose due window still includes it."""
    hi = day - dt.timedelta(days=rule.offset_days)
    return hi - dt.timedelta(days=rule.due_window_days), hi


def rule_generate(rule: FollowUpRule, day: dt.date, now: dt.datetime) -> dict:
    """Run one rule for one date; returns its line of the run log."""
    started = time.perf_counter()
    line = {"rule": rule.pk, "code": rule.code, "name": rule.name, "created": 0, "existing": 0, "skipped": {}}
    sql = CANDIDATES.get(rule.trigger)
    if sql is None:  # campaign tasks are made by their campaign, not by the daily run
        line["seconds"] = 0.0
        return line
    lo, hi = trigger_window(rule, day)
    tz = calendar_for(rule.tenant_id).tz
    params = {
        "tenant": rule.tenant_id, "rule": rule.pk, "queue": rule.queue, "worked_by": rule.worked_by,
        "purpose": rule.purpose, "offset": rule.offset_days, "window": rule.due_window_days,
        "priority": rule.priority, "now": now, "day": day, "lo": lo, "hi": hi, "tz": str(tz),
        "lo_at": dt.datetime.combine(lo, dt.time(), tzinfo=tz),
        "hi_at": dt.datetime.combine(hi + dt.timedelta(days=1), dt.time(), tzinfo=tz),
        "lo_year": lo.year, "hi_year": hi.year,
        # Twelve calendar months back, as the SQL's interval adds them (29 Feb → 28 Feb); a slice computed this way
        # can miss 29 February by one day, which the due window absorbs.
        "lo_lapse": months_back(lo, 12), "hi_lapse": months_back(hi, 12),
        "lo_lapse_at": dt.datetime.combine(months_back(lo, 12), dt.time(), tzinfo=tz),
        "hi_lapse_at": dt.datetime.combine(months_back(hi, 12) + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    }
    with connection.cursor() as cursor:
        cursor.execute(GENERATE_SQL.format(candidates=sql), params)
        counts = dict(cursor.fetchall())
    created, candidates = counts.pop("#created", 0), counts.pop("#candidates", 0)
    skipped = {reason: counts[reason] for reason in SkipReason.values if counts.get(reason)}
    line.update(created=created, skipped=skipped, existing=max(0, candidates - created - sum(skipped.values())),
                seconds=round(time.perf_counter() - started, 3))
    return line


def followups_generate(*, scope: Scope, on: dt.date, source: str, started_by=None,
                       now: dt.datetime | None = None) -> FollowUpRun:
    """Generate every active rule's tasks for a date, cancel what may no longer be called, log the run."""
    now = now or timezone.now()
    run = FollowUpRun.objects.create(tenant_id=scope.tenant_id, run_on=on, source=source,
                                     started_by_id=getattr(started_by, "pk", started_by))
    lines = []
    for rule in FollowUpRule.objects.scoped(scope).filter(is_active=True).order_by("priority", "code"):
        with transaction.atomic():
            lines.append(rule_generate(rule, on, now))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CANCEL_SQL, {"tenant": scope.tenant_id, "now": now})
    _released, expired = followups_sweep(tenant_id=scope.tenant_id, now=now)
    run.per_rule = lines
    run.created_count = sum(line["created"] for line in lines)
    run.existing_count = sum(line["existing"] for line in lines)
    run.skipped_count = sum(sum(line["skipped"].values()) for line in lines)
    run.expired_count = expired
    run.finished_at = timezone.now()
    run.save()
    return run
