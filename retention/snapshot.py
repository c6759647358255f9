"""The retention snapshot build (DESIGN §9.5): one set-based pass over vehicles and visits, then the rollups.

Definitions (§4), for the vehicles a dealer sold, delivered on or before T and not scrapped by T (owned base):
retained = a visit at that dealer on or after T − retained months; active = on or after T − active months; otherwise
lapsed when the last visit there (or the delivery, if later or none) is before T − lapsed months, lost before
T − lost months, and "not yet lapsed" in between. Defected = the latest visit since T − retained months, at any
dealer of the tenant, was at another dealer. Dates are local dates of the tenant's time zone; visits after T are
ignored, so a past date can be rebuilt.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.utils import timezone

from crm_site.dates import months_back
from crm_site.models import audit
from crm_site.scope import Scope
from dealers.models import Dealer
from vehicles.models import Sale, ServiceVisit, Vehicle

from .models import Activity, DefectionCell, RetentionSettings, Rollup, Snapshot, VehicleState

months_before = months_back  # the retention modules' name for it


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a local day as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


STATES_SQL = """
INSERT INTO {state} (tenant_id, snapshot_id, dealer_id, vehicle_id, owner_id, age_band, delivered_on,
                     last_home_visit_on, last_seen_on, last_visit_dealer_id, last_visit_on, state, defected)
WITH base AS (
    SELECT veh.id, veh.selling_dealer_id AS dealer_id, veh.owner_id, veh.delivered_on
    FROM {vehicle} veh
    WHERE veh.tenant_id = %(tenant)s AND veh.selling_dealer_id IS NOT NULL AND veh.delivered_on <= %(as_of)s
      AND (veh.scrapped_on IS NULL OR veh.scrapped_on > %(as_of)s)
), seen AS (
    -- One pass over the visits up to T: the last at the selling dealer, and the latest in the window anywhere
    -- (max over [epoch, dealer] pairs picks the dealer of the latest visit without a sort).
    SELECT sv.vehicle_id,
           max(sv.opened_at) FILTER (WHERE sv.dealer_id = base.dealer_id) AS home_at,
           max(ARRAY[extract(epoch FROM sv.opened_at)::bigint, sv.dealer_id])
               FILTER (WHERE sv.opened_at >= %(window_at)s) AS latest
    FROM {visit} sv JOIN base ON base.id = sv.vehicle_id
    WHERE sv.tenant_id = %(tenant)s AND sv.opened_at < %(end_at)s
    GROUP BY sv.vehicle_id
), dated AS (
    SELECT base.*, (seen.home_at AT TIME ZONE %(tz)s)::date AS home_on,
           seen.latest[2] AS latest_dealer,
           (to_timestamp(seen.latest[1]) AT TIME ZONE %(tz)s)::date AS latest_on,
           extract(year FROM age(%(as_of)s::date, base.delivered_on))::int AS years
    FROM base LEFT JOIN seen ON seen.vehicle_id = base.id
)
SELECT %(tenant)s, %(snapshot)s, dealer_id, id, owner_id,
       CASE WHEN years < 6 THEN years WHEN years < 8 THEN 6 ELSE 7 END,
       delivered_on, home_on, GREATEST(home_on, delivered_on), latest_dealer, latest_on,
       CASE WHEN home_on >= %(active_from)s THEN 'active'
            WHEN home_on >= %(retained_from)s THEN 'retained'
            WHEN GREATEST(home_on, delivered_on) < %(lost_before)s THEN 'lost'
            WHEN GREATEST(home_on, delivered_on) < %(lapsed_before)s THEN 'lapsed'
            ELSE 'new' END,
       latest_dealer IS NOT NULL AND latest_dealer <> dealer_id
FROM dated
"""

ROLLUP_SQL = """
INSERT INTO {rollup} (tenant_id, snapshot_id, dealer_id, region_id, age_band, owned_base, retained, active, new,
                      lapsed, lost, defected)
SELECT %(tenant)s, %(snapshot)s, s.dealer_id, d.region_id, s.age_band, count(*),
       count(*) FILTER (WHERE s.state IN ('active', 'retained')), count(*) FILTER (WHERE s.state = 'active'),
       count(*) FILTER (WHERE s.state = 'new'), count(*) FILTER (WHERE s.state = 'lapsed'),
       count(*) FILTER (WHERE s.state = 'lost'), count(*) FILTER (WHERE s.defected)
FROM {state} s JOIN {dealer} d ON d.id = s.dealer_id
WHERE s.snapshot_id = %(snapshot)s
GROUP BY s.dealer_id, d.region_id, s.age_band
"""

DEFECTION_SQL = """
INSERT INTO {cell} (tenant_id, snapshot_id, dealer_id, serviced_by_id, vehicles)
SELECT %(tenant)s, %(snapshot)s, dealer_id, last_visit_dealer_id, count(*)
FROM {state} WHERE snapshot_id = %(snapshot)s AND last_visit_dealer_id IS NOT NULL
GROUP BY dealer_id, last_visit_dealer_id
"""

ACTIVITY_SQL = """
INSERT INTO {activity} (tenant_id, snapshot_id, dealer_id, region_id, deliveries, visits, amount)
SELECT %(tenant)s, %(snapshot)s, d.id, d.region_id, coalesce(s.n, 0), coalesce(v.n, 0), coalesce(v.amount, 0)
FROM {dealer} d
LEFT JOIN (SELECT dealer_id, count(*) AS n FROM {sale}
           WHERE tenant_id = %(tenant)s AND delivered_on >= %(month_start)s AND delivered_on <= %(as_of)s
           GROUP BY dealer_id) s ON s.dealer_id = d.id
LEFT JOIN (SELECT dealer_id, count(*) AS n, sum(amount) AS amount FROM {visit}
           WHERE tenant_id = %(tenant)s AND opened_at >= %(month_at)s AND opened_at < %(end_at)s
           GROUP BY dealer_id) v ON v.dealer_id = d.id
WHERE d.tenant_id = %(tenant)s
"""


def _tables() -> dict:
    return {"state": VehicleState._meta.db_table, "rollup": Rollup._meta.db_table, "cell": DefectionCell._meta.db_table,
            "activity": Activity._meta.db_table, "vehicle": Vehicle._meta.db_table,
            "visit": ServiceVisit._meta.db_table, "sale": Sale._meta.db_table, "dealer": Dealer._meta.db_table}


def _drop(cursor, tables: dict, snapshot_ids: list[int], *, states_only: bool = False) -> None:
    if not snapshot_ids:
        return
    names = ("state",) if states_only else ("state", "rollup", "cell", "activity")
    for name in names:
        cursor.execute(f"DELETE FROM {tables[name]} WHERE snapshot_id = ANY(%s)", [snapshot_ids])  # noqa: S608


@transaction.atomic
def snapshot_build(*, scope: Scope, as_of: dt.date) -> Snapshot:
    """Build (or rebuild) the tenant's snapshot for `as_of`: vehicle states, rollups, defection and the month."""
    started = time.monotonic()
    settings = RetentionSettings.for_tenant(scope.tenant_id)
    tables = _tables()
    with connection.cursor() as cursor:
        old = list(Snapshot._base_manager.filter(tenant_id=scope.tenant_id, as_of=as_of).values_list("pk", flat=True))
        _drop(cursor, tables, old)
        Snapshot._base_manager.filter(pk__in=old).delete()
        snapshot = Snapshot._base_manager.create(
            tenant_id=scope.tenant_id, as_of=as_of, retained_months=settings.retained_months,
            active_months=settings.active_months, lapsed_months=settings.lapsed_months,
            lost_months=settings.lost_months)
        retained_from = months_before(as_of, settings.retained_months)
        params = {
            "tenant": scope.tenant_id, "snapshot": snapshot.pk, "as_of": as_of,
            "tz": timezone.get_current_timezone_name(),
            "end_at": local_midnight(as_of + dt.timedelta(days=1)), "window_at": local_midnight(retained_from),
            "retained_from": retained_from, "active_from": months_before(as_of, settings.active_months),
            "lapsed_before": months_before(as_of, settings.lapsed_months),
            "lost_before": months_before(as_of, settings.lost_months),
            "month_start": as_of.replace(day=1), "month_at": local_midnight(as_of.replace(day=1)),
        }
        cursor.execute(STATES_SQL.format(**tables), params)
        vehicles = cursor.rowcount
        for sql in (ROLLUP_SQL, DEFECTION_SQL, ACTIVITY_SQL):
            cursor.execute(sql.format(**tables), params)
        # Only month ends and the newest nightly build keep their per-vehicle rows (the drill-down's lists).
        stale = list(Snapshot._base_manager.filter(tenant_id=scope.tenant_id, has_states=True, as_of__lt=as_of)
                     .exclude(pk=snapshot.pk).values_list("pk", "as_of"))
        stale = [pk for pk, day in stale if not is_month_end(day)]
        _drop(cursor, tables, stale, states_only=True)
        Snapshot._base_manager.filter(pk__in=stale).update(has_states=False)
    snapshot.vehicles = vehicles
    snapshot.seconds = round(time.monotonic() - started, 3)
    Snapshot._base_manager.filter(pk=snapshot.pk).update(vehicles=vehicles, seconds=snapshot.seconds)
    audit(scope, "retention.snapshot_build", snapshot, as_of=as_of.isoformat(), vehicles=vehicles)
    return snapshot
