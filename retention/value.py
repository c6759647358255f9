"""Customer value (issue 13): RFM scores 1–5 by quintile within the tenant over service visits and spend, the 3R
(rebuy, related, referral) and a value tier, rebuilt set-based for an as-of date."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from crm_site.dates import months_back
from crm_site.models import audit
from crm_site.scope import Scope
from crm_site.timeline import as_datetime

# Frequency and spend count the service visits of this many months before the as-of date; recency looks at all.
FM_MONTHS = 24

TIER_RULES = {
    "core": _("Core: came recently (R 4–5) and often or for much (F or M 4–5)"),
    "growth": _("Growth: came recently (R 3–5), not yet core"),
    "at_risk": _("At risk: has not come for long (R 1–2) but used to come often or for much (F or M 3–5)"),
    "dormant": _("Dormant: neither recent nor frequent nor spending"),
}

BUILD_SQL = """
WITH visits AS (
    SELECT COALESCE(sv.customer_id, veh.owner_id) AS customer_id, max(sv.opened_at) AS last_at,
           count(*) FILTER (WHERE sv.opened_at >= %(fm_from)s) AS visits,
           COALESCE(sum(sv.amount) FILTER (WHERE sv.opened_at >= %(fm_from)s), 0) AS spend
    FROM vehicles_servicevisit sv JOIN vehicles_vehicle veh ON veh.id = sv.vehicle_id
    WHERE sv.tenant_id = %(tenant)s AND sv.opened_at < %(until)s
    GROUP BY 1
), bought AS (
    SELECT customer_id, count(*) AS n FROM vehicles_sale
    WHERE tenant_id = %(tenant)s AND delivered_on <= %(as_of)s GROUP BY 1
), related AS (
    SELECT customer_id, count(*) AS n FROM vehicles_relatedpurchase
    WHERE tenant_id = %(tenant)s AND purchased_on <= %(as_of)s GROUP BY 1
), referred AS (
    SELECT referred_by_id AS customer_id, count(*) AS n, count(*) FILTER (WHERE stage = 'won') AS won
    FROM customers_lead WHERE tenant_id = %(tenant)s AND referred_by_id IS NOT NULL GROUP BY 1
), base AS (
    SELECT c.id AS customer_id, v.last_at, COALESCE(v.visits, 0) AS visits, COALESCE(v.spend, 0) AS spend,
           COALESCE(b.n, 0) AS bought, COALESCE(r.n, 0) AS related, COALESCE(f.n, 0) AS referrals,
           COALESCE(f.won, 0) AS referrals_won
    FROM customers_customer c
    LEFT JOIN visits v ON v.customer_id = c.id
    LEFT JOIN bought b ON b.customer_id = c.id
    LEFT JOIN related r ON r.customer_id = c.id
    LEFT JOIN referred f ON f.customer_id = c.id
    WHERE c.tenant_id = %(tenant)s AND c.merged_into_id IS NULL AND c.erased_at IS NULL
      AND (v.customer_id IS NOT NULL OR b.customer_id IS NOT NULL)
), scored AS (
    SELECT base.*,
           CASE WHEN last_at IS NULL THEN 1
                ELSE 6 - NTILE(5) OVER (PARTITION BY last_at IS NULL ORDER BY last_at DESC, customer_id) END AS r,
           NTILE(5) OVER (ORDER BY visits, customer_id) AS f,
           NTILE(5) OVER (ORDER BY spend, customer_id) AS m
    FROM base
)
INSERT INTO retention_customervalue (tenant_id, customer_id, as_of, recency_days, visits, spend, r, f, m,
                                     vehicles_bought, rebuy, related, referrals, referrals_won, tier)
SELECT %(tenant)s, customer_id, %(as_of)s,
       CASE WHEN last_at IS NULL THEN NULL ELSE (%(as_of)s - (last_at AT TIME ZONE %(tz)s)::date) END,
       visits, spend, r, f, m, bought, bought >= 2, related, referrals, referrals_won,
       CASE WHEN r >= 4 AND (f >= 4 OR m >= 4) THEN 'core'
            WHEN r >= 3 THEN 'growth'
            WHEN f >= 3 OR m >= 3 THEN 'at_risk'
            ELSE 'dormant' END
FROM scored
"""


@transaction.atomic
def customer_value_build(*, scope: Scope, as_of: dt.date) -> int:
    """Replace the tenant's customer values with those as of the date; returns how many customers were scored."""
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM retention_customervalue WHERE tenant_id = %s", [scope.tenant_id])
        cursor.execute(BUILD_SQL, {
            "tenant": scope.tenant_id, "as_of": as_of, "until": as_datetime(as_of + dt.timedelta(days=1)),
            "fm_from": as_datetime(months_back(as_of, FM_MONTHS)), "tz": str(timezone.get_current_timezone()),
        })
        scored = cursor.rowcount
    audit(scope, "customer_value.build", None, as_of=as_of.isoformat(), customers=scored)
    return scored
