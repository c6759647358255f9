"""The segment drawn in SQL: one customer per row, the reason each may not be called, the control group by lot.

A customer appears once (their first vehicle of the segment); exclusions follow the follow-up generation's order
(callcenter.generation: merged or erased, do-not-call, vehicle scrapped, no mobile, no phone consent for marketing);
the control group is the `share` % of the callable customers whose md5(seed:customer) comes first, so the draw is
random but reproducible, and its size is known before the launch.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from callcenter.choices import Purpose, SkipReason

from .models import MemberGroup

# Win-back calls are marketing (DESIGN §9.2): they need the customer's phone consent for marketing.
PURPOSE = Purpose.MARKETING

DRAWN = """
WITH seg AS (
    SELECT DISTINCT ON (s.owner_id) s.owner_id AS customer_id, s.vehicle_id, s.dealer_id
    FROM ({segment}) s ORDER BY s.owner_id, s.vehicle_id
), cls AS (
    SELECT seg.*, CASE
        WHEN c.merged_into_id IS NOT NULL OR c.erased_at IS NOT NULL THEN 'customer_erased'
        WHEN c.do_not_call THEN 'do_not_call'
        WHEN veh.scrapped_on IS NOT NULL AND veh.scrapped_on <= %s::date THEN 'vehicle_scrapped'
        WHEN c.mobile = '' THEN 'no_mobile'
        WHEN NOT COALESCE((SELECT cr.granted FROM customers_consentrecord cr
                           WHERE cr.customer_id = c.id AND cr.channel = 'phone' AND cr.purpose = %s::text
                           ORDER BY cr.created_at DESC, cr.id DESC LIMIT 1), false) THEN 'no_consent'
        END AS reason
    FROM seg JOIN customers_customer c ON c.id = seg.customer_id JOIN vehicles_vehicle veh ON veh.id = seg.vehicle_id
), drawn AS (
    SELECT cls.*, CASE
        WHEN reason IS NOT NULL THEN 'excluded'
        WHEN row_number() OVER (PARTITION BY reason IS NULL ORDER BY md5(%s::text || ':' || customer_id::text),
                                customer_id)
             <= round(count(*) FILTER (WHERE reason IS NULL) OVER () * %s::int / 100.0) THEN 'control'
        ELSE 'called' END AS grp
    FROM cls
)
"""

# Constant SQL around the segment's own compiled query; every value is a parameter.
PREVIEW = DRAWN + "SELECT grp, COALESCE(reason, ''), count(*) FROM drawn GROUP BY 1, 2"  # noqa: S608

FREEZE = DRAWN + """, frozen AS (
    INSERT INTO retention_campaignmember (tenant_id, campaign_id, customer_id, vehicle_id, dealer_id, "group", reason)
    SELECT %s::bigint, %s::bigint, customer_id, vehicle_id, dealer_id, grp, COALESCE(reason, '') FROM drawn
    ON CONFLICT (campaign_id, customer_id) DO NOTHING
    RETURNING "group", reason, customer_id, vehicle_id, dealer_id
)
SELECT "group", reason, customer_id, vehicle_id, dealer_id FROM frozen
"""  # noqa: S608


def _segment_sql(rows) -> tuple[str, list]:
    sql, params = rows.values("owner_id", "vehicle_id", "dealer_id").query.sql_with_params()
    return sql, list(params)


def _params(segment_params: list, *, day: dt.date, seed: str, share: int) -> list:
    return [*segment_params, day, PURPOSE, seed, share]


class Preview(dict):
    """Counts of a segment: customers, excluded per reason, callable, control and called."""

    @property
    def excluded_total(self) -> int:
        return sum(self["excluded"].values())

    @property
    def callable(self) -> int:
        return self["control"] + self["called"]


def counts(rows: list[tuple]) -> Preview:
    """(group, reason, n) rows → the preview's figures, every exclusion reason listed even at 0."""
    result = Preview(segment=0, control=0, called=0, excluded=dict.fromkeys(SkipReason.values, 0))
    for group, reason, n in rows:
        result["segment"] += n
        if group == MemberGroup.EXCLUDED:
            result["excluded"][reason] = result["excluded"].get(reason, 0) + n
        else:
            result[group] += n
    return result


def segment_preview(rows, *, day: dt.date, seed: str, share: int) -> Preview:
    """The segment's figures before a launch, in one statement."""
    sql, params = _segment_sql(rows)
    with connection.cursor() as cursor:
        cursor.execute(PREVIEW.format(segment=sql), _params(params, day=day, seed=seed, share=share))
        return counts(cursor.fetchall())


def segment_freeze(rows, *, tenant_id: int, campaign_id: int, day: dt.date, seed: str, share: int) -> list[tuple]:
    """Insert the campaign's members with their group (once: a second run inserts nothing); the rows inserted."""
    sql, params = _segment_sql(rows)
    with connection.cursor() as cursor:
        cursor.execute(FREEZE.format(segment=sql),
                       [*_params(params, day=day, seed=seed, share=share), tenant_id, campaign_id])
        return cursor.fetchall()
