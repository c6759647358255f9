"""Set-based bulk upsert of repair orders (the service behind POST /service-visits/bulk/): a batch of 1,000 is a
handful of statements, not 1,000 service calls.

The per-item service (service_visit_record) does the same for one visit; here every step covers the whole batch:
items are checked in Python (no database), VINs and plates are resolved in one query across the tenant, unknown
VINs become vehicles in one insert, the missing vehicle and customer links of the dealer are added in one insert
each, and the visits are upserted in ONE statement keyed by (dealer, external_id). A visit matched by its external
id answers "updated" whether or not a value changed (unchanged rows are not rewritten). Items that carry
`customer_data` need the customer matching of the service, so they are left to the per-item path: their result
is None, for the caller to fill.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site import history
from crm_site.api.bulk import CREATED, UPDATED, error_result
from crm_site.scope import Scope
from crm_site.validators import mileage_error, start_of_tomorrow
from customers.choices import LinkKind
from dealers.choices import Role
from dealers.models import Dealer, User
from dealers.selectors import staff_match_many

from .models import Vehicle, VehicleModel
from .services import OWNER_REQUIRED
from .visit_items import ItemError, VisitRow, parse_item

# The batch's vehicles, with the batch's dealers each (and its owner) is already linked to.
VEHICLES_SQL = (
    "SELECT v.id, v.vin, v.plate, v.owner_id, v.mileage_km, "
    "ARRAY(SELECT vd.dealer_id FROM vehicles_vehicledealer vd WHERE vd.vehicle_id = v.id AND vd.dealer_id = ANY(%s)), "
    "ARRAY(SELECT cd.dealer_id FROM customers_customerdealer cd "
    "      WHERE cd.customer_id = v.owner_id AND cd.dealer_id = ANY(%s)) "
    "FROM vehicles_vehicle v WHERE v.tenant_id = %s AND {condition} ORDER BY v.updated_at, v.id"
)
VIN_IN = "v.vin = ANY(string_to_array(%s, ','))"
PLATE_IN = "v.plate = ANY(string_to_array(%s, ','))"
ID_IN = "v.id = ANY(string_to_array(%s, ',')::bigint[])"
# Per item: the latest stored reading before it, and whether the vehicle has any stored reading at all. The visit
# the item updates (same dealer and external id) is not an earlier reading of itself.
LAST_READING_SQL = """
    SELECT t.n, last.km, last.opened_at, EXISTS (
        SELECT 1 FROM vehicles_servicevisit s WHERE s.vehicle_id = t.vehicle_id AND s.mileage_km IS NOT NULL
        AND NOT (s.dealer_id = t.dealer_id AND t.external_id <> '' AND s.external_id = t.external_id))
    FROM unnest(%s::integer[], %s::bigint[], %s::bigint[], %s::timestamptz[], %s::varchar[])
        AS t(n, vehicle_id, dealer_id, opened_at, external_id)
    LEFT JOIN LATERAL (
        SELECT s.mileage_km AS km, s.opened_at FROM vehicles_servicevisit s
        WHERE s.vehicle_id = t.vehicle_id AND s.mileage_km IS NOT NULL AND s.opened_at < t.opened_at
        AND NOT (s.dealer_id = t.dealer_id AND t.external_id <> '' AND s.external_id = t.external_id)
        ORDER BY s.opened_at DESC, s.id DESC LIMIT 1) last ON true
"""


def _cursor():
    """A cursor that sends parameters separately (server-side binding): quoting 10,000 values into the SQL text
    would cost more than the statement. It is Django's cursor wrapper, so queries are still logged and counted."""
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@dataclass(slots=True)
class KnownVehicle:
    """A vehicle of the batch, with the batch's dealers it and its owner are already linked to."""

    pk: int
    vin: str
    plate: str
    owner_id: int | None
    mileage_km: int | None
    linked: set
    owner_linked: set


class VisitBatch:
    """One batch of repair orders for the caller's scope, written set-based."""

    def __init__(self, scope: Scope, items: list):
        self.scope = scope
        self.items = items
        self.results: list[dict | None] = [None] * len(items)
        self.rows: list[VisitRow] = []
        self.vehicles: dict[int, KnownVehicle] = {}
        self.dealer_ids: list[int] = []

    def fail(self, row: VisitRow, errors: dict) -> None:
        self.results[row.index] = error_result(row.index, errors)

    def drop_failed(self) -> None:
        """Drop the rows a check has failed (already reported)."""
        self.rows = [row for row in self.rows if self.results[row.index] is None]

    def run(self) -> list[dict]:
        for index, item in enumerate(self.items):
            if isinstance(item, dict) and item.get("customer_data"):
                continue  # left to the per-item path
            try:
                self.rows.append(parse_item(index, item, self.scope.single_dealer_id))
            except ItemError as exc:
                self.results[index] = error_result(index, exc.errors)
        self.check_dealers()
        self.dealer_ids = sorted({row.dealer_id for row in self.rows})
        self.check_advisors()
        self.check_models()
        self.resolve_vehicles()
        self.drop_repeats()
        self.check_mileage()
        if self.rows:
            self.link_dealers()
            self.upsert()
            self.raise_mileage()
        return self.results

    def check_dealers(self) -> None:
        """Each item's dealer must be in the scope (a dealer-bound caller may name only its own)."""
        named = {row.dealer_id for row in self.rows}
        if self.scope.dealer_ids is not None:
            allowed = named & self.scope.dealer_ids
        else:
            allowed = set(Dealer.objects.filter(tenant_id=self.scope.tenant_id, pk__in=named)
                          .values_list("pk", flat=True)) if named else set()
        for row in self.rows:
            if row.dealer_id not in allowed:
                self.fail(row, {"dealer": [_("Invalid pk \"%(pk)s\" - object does not exist.") % {"pk": row.dealer_id}]})
        self.drop_failed()

    def check_advisors(self) -> None:
        """An advisor must be an active service advisor of the item's dealer (one query for the batch).

        A DMS names the advisor by id, or by staff code (工号) or name in `advisor_code`; an unknown one is an error.
        """
        coded = [row for row in self.rows if row.advisor_code]
        if coded:
            found = staff_match_many(tenant_id=self.scope.tenant_id, role=Role.SERVICE_ADVISOR,
                                     names={(row.dealer_id, row.advisor_code) for row in coded})
            for row in coded:
                match = found.get((row.dealer_id, row.advisor_code))
                if row.advisor_id:
                    self.fail(row, {"advisor_code": [_("Give the id or the staff code, not both.")]})
                elif isinstance(match, str):
                    self.fail(row, {"advisor_code": [match]})
                else:
                    row.advisor_id = match
            self.drop_failed()
        named = {row.advisor_id for row in self.rows if row.advisor_id}
        if not named:
            return
        dealer_of = dict(User.objects.scoped(self.scope).filter(
            pk__in=named, role=Role.SERVICE_ADVISOR, is_active=True).values_list("pk", "dealer_id"))
        for row in self.rows:
            if row.advisor_id and dealer_of.get(row.advisor_id) != row.dealer_id:
                self.fail(row, {"advisor": [_("Choose an active service advisor of the visit's dealer.")]})
        self.drop_failed()

    def check_models(self) -> None:
        named = {row.new_vehicle["model"] for row in self.rows if row.new_vehicle["model"]}
        if not named:
            return
        known = set(VehicleModel.objects.filter(tenant_id=self.scope.tenant_id, pk__in=named)
                    .values_list("pk", flat=True))
        for row in self.rows:
            if row.new_vehicle["model"] and row.new_vehicle["model"] not in known:
                self.fail(row, {"model": [_("Unknown vehicle model.")]})
        self.drop_failed()

    def resolve_vehicles(self) -> None:
        """Find the batch's vehicles (by VIN or plate across the tenant: walk-ins), register unknown VINs set-based."""
        by_id = {row.vehicle_id for row in self.rows if row.vehicle_id}
        vins = {row.vin for row in self.rows if row.vin and not row.vehicle_id}
        plates = {row.plate for row in self.rows if row.plate and not row.vin and not row.vehicle_id}
        if by_id:
            # A vehicle named by id must already be visible; by VIN or plate any vehicle of the network is found.
            by_id = set(Vehicle.objects.scoped(self.scope).filter(pk__in=by_id).values_list("pk", flat=True))
        by_vin: dict[str, int] = {}
        by_plate: dict[str, int] = {}
        for condition, values in ((VIN_IN, vins), (PLATE_IN, plates), (ID_IN, by_id)):
            if values:
                for vehicle in self.fetch_vehicles(condition, values):
                    by_vin[vehicle.vin] = vehicle.pk
                    if vehicle.plate:
                        by_plate[vehicle.plate] = vehicle.pk  # ordered by update: the latest wins, as in vehicle_find
        unknown: dict[str, VisitRow] = {}
        for row in self.rows:
            if row.vin and not row.vehicle_id and row.vin not in by_vin:
                if not row.owner_unknown:
                    # As in service_visit_record: a new vehicle is registered with its owner, or explicitly without.
                    self.fail(row, {"customer_data": [str(OWNER_REQUIRED)]})
                    continue
                unknown.setdefault(row.vin, row)
        self.drop_failed()
        if unknown:
            for vehicle in self.create_vehicles(unknown):
                by_vin[vehicle.vin] = vehicle.pk
        for row in self.rows:
            if row.vehicle_id and row.vehicle_id not in by_id:
                self.fail(row, {"vehicle": [_("Invalid pk \"%(pk)s\" - object does not exist.") % {"pk": row.vehicle_id}]})
                continue
            if not row.vehicle_id:
                row.vehicle_id = by_vin.get(row.vin) if row.vin else by_plate.get(row.plate)
            if row.vehicle_id is None:
                self.fail(row, {"plate": [_("No vehicle with this plate: enter its VIN to register it.")]})
            else:
                row.customer_id = self.vehicles[row.vehicle_id].owner_id
        self.drop_failed()

    def fetch_vehicles(self, condition: str, values) -> list[KnownVehicle]:
        """Vehicles of the tenant matching a condition, with their (and their owners') links to the batch's dealers."""
        with _cursor() as cursor:
            sql = VEHICLES_SQL.format(condition=condition)  # noqa: S608 (conditions are constants of this module)
            # Values travel as one comma-separated text: VINs, plates and ids never contain commas, and one text
            # parameter costs far less to send than an array of a thousand.
            joined = ",".join(str(value) for value in values)
            cursor.execute(sql, [self.dealer_ids, self.dealer_ids, self.scope.tenant_id, joined])
            found = [KnownVehicle(pk, vin, plate, owner_id, km, set(vehicle_links), set(owner_links))
                     for pk, vin, plate, owner_id, km, vehicle_links, owner_links in cursor.fetchall()]
        self.vehicles.update((vehicle.pk, vehicle) for vehicle in found)
        return found

    def create_vehicles(self, unknown: dict[str, VisitRow]) -> list[KnownVehicle]:
        """Register the batch's unknown VINs in one insert (a concurrent insert of the same VIN is kept)."""
        vins = list(unknown)
        with _cursor() as cursor:
            cursor.execute(
                "INSERT INTO vehicles_vehicle (tenant_id, vin, plate, model_id, colour, created_at, updated_at) "
                "SELECT %s, t.vin, t.plate, t.model_id, t.colour, now(), now() "
                "FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[], %s::varchar[]) AS t(vin, plate, model_id, colour) "
                "ON CONFLICT (tenant_id, vin) DO NOTHING",
                [self.scope.tenant_id, vins,
                 [unknown[v].plate or unknown[v].new_vehicle["plate"] for v in vins],
                 [unknown[v].new_vehicle["model"] for v in vins],
                 [unknown[v].new_vehicle["colour"] for v in vins]],
            )
        return self.fetch_vehicles(VIN_IN, vins)

    def drop_repeats(self) -> None:
        """An external id given twice in one batch: the last item wins, the earlier ones are reported."""
        last: dict[tuple[int, str], int] = {}
        for row in self.rows:
            if row.external_id:
                last[(row.dealer_id, row.external_id)] = row.index
        for row in self.rows:
            if row.external_id and last[(row.dealer_id, row.external_id)] != row.index:
                self.fail(row, {"external_id": [_("Item %(index)d of this batch has the same external id.") % {
                    "index": last[(row.dealer_id, row.external_id)]}]})
        self.drop_failed()

    def check_mileage(self) -> None:
        """A reading below the vehicle's last known one is an error unless the item says `odometer_replaced`.

        The last known reading is that of the latest earlier visit (stored, or earlier in this batch), else the
        vehicle's own, as in `services.last_known_km` (one query for the batch).
        """
        rows = [row for row in self.rows if row.mileage_km is not None]
        if not rows:
            return
        with _cursor() as cursor:
            cursor.execute(
                LAST_READING_SQL,
                [list(range(len(rows))), [row.vehicle_id for row in rows], [row.dealer_id for row in rows],
                 [row.opened_at for row in rows], [row.external_id for row in rows]],
            )
            stored = {n: (km, at, any_visit) for n, km, at, any_visit in cursor.fetchall()}
        same_vehicle: dict[int, list[VisitRow]] = {}
        for row in rows:
            same_vehicle.setdefault(row.vehicle_id, []).append(row)
        for n, row in enumerate(rows):
            km, at, any_visit = stored[n]
            earlier = [other for other in same_vehicle[row.vehicle_id] if other.opened_at < row.opened_at
                       and self.results[other.index] is None and (at is None or other.opened_at > at)]
            if earlier:
                km = max(earlier, key=lambda other: other.opened_at).mileage_km
            elif not any_visit:
                km = self.vehicles[row.vehicle_id].mileage_km
            problem = mileage_error(mileage_km=row.mileage_km, last_km=km, odometer_replaced=row.odometer_replaced)
            if problem:
                self.fail(row, {"mileage_km": [problem]})
        self.drop_failed()

    def link_dealers(self) -> None:
        """Link the vehicles and their owners to the servicing dealer, only where missing (one insert each)."""
        vehicle_pairs, customer_pairs = set(), set()
        for row in self.rows:
            vehicle = self.vehicles[row.vehicle_id]
            if row.dealer_id not in vehicle.linked:
                vehicle_pairs.add((row.vehicle_id, row.dealer_id))
            if row.customer_id and row.dealer_id not in vehicle.owner_linked:
                customer_pairs.add((row.customer_id, row.dealer_id))
        with _cursor() as cursor:
            for table, column, pairs in (("vehicles_vehicledealer", "vehicle_id", sorted(vehicle_pairs)),
                                         ("customers_customerdealer", "customer_id", sorted(customer_pairs))):
                if pairs:
                    cursor.execute(
                        f"INSERT INTO {table} (tenant_id, {column}, dealer_id, kind, external_id, created_at, "  # noqa: S608 (fixed names)
                        "updated_at) SELECT %s, t.obj, t.dealer, %s, '', now(), now() "
                        "FROM unnest(%s::bigint[], %s::bigint[]) AS t(obj, dealer) ON CONFLICT DO NOTHING",
                        [self.scope.tenant_id, LinkKind.SERVICED, [p[0] for p in pairs], [p[1] for p in pairs]],
                    )

    def upsert(self) -> None:
        """All visits in one INSERT … ON CONFLICT (dealer, external id) DO UPDATE, rewriting only changed rows."""
        rows = self.rows
        columns = ("dealer_id", "vehicle_id", "customer_id", "advisor_id", "kind", "opened_at", "closed_at",
                   "mileage_km", "amount", "external_id")
        typed = ", ".join(f"{c} {t}" for c, t in zip(columns, (
            "bigint", "bigint", "bigint", "bigint", "varchar", "timestamptz", "timestamptz", "integer", "numeric",
            "varchar"), strict=True))
        compared = [c for c in columns if c not in ("dealer_id", "external_id")]
        # The batch travels as one JSON parameter: PostgreSQL parses it far faster than psycopg dumps ten arrays.
        batch = json.dumps([{**{c: getattr(row, c) for c in columns}, "n": n} for n, row in enumerate(rows)],
                           default=_json_value)
        with _cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO vehicles_servicevisit AS v (tenant_id, {", ".join(columns)}, created_at, updated_at)
                SELECT %s, {", ".join("t." + c for c in columns)}, now(), now()
                FROM json_to_recordset(%s::json) AS t({typed}, n int)
                ORDER BY t.n
                ON CONFLICT (dealer_id, external_id) WHERE external_id <> '' DO UPDATE SET
                    {", ".join(f"{c} = EXCLUDED.{c}" for c in compared)},
                    updated_at = EXCLUDED.updated_at
                WHERE ({", ".join("v." + c for c in compared)})
                      IS DISTINCT FROM ({", ".join("EXCLUDED." + c for c in compared)})
                RETURNING v.id, v.dealer_id, v.external_id, (v.xmax = 0) AS inserted
                """,  # noqa: S608 (column names are constants)
                [self.scope.tenant_id, batch],
            )
            returned = cursor.fetchall()
        by_key = {(dealer_id, ext): (pk, inserted) for pk, dealer_id, ext, inserted in returned if ext}
        # Rows without an external id are always inserted, with ids in the order of the items.
        plain_ids = sorted(pk for pk, _dealer, ext, _inserted in returned if not ext)
        unchanged = [row for row in rows if row.external_id and (row.dealer_id, row.external_id) not in by_key]
        if unchanged:
            by_key.update(self.existing_ids(unchanged))
        plain = iter(plain_ids)
        for row in rows:
            if row.external_id:
                pk, inserted = by_key[(row.dealer_id, row.external_id)]
            else:
                pk, inserted = next(plain), True
            self.results[row.index] = {"index": row.index, "status": CREATED if inserted else UPDATED, "id": pk}

    def existing_ids(self, rows: list[VisitRow]) -> dict[tuple[int, str], tuple[int, bool]]:
        """Ids of visits matched by external id whose values did not change (the upsert does not return them)."""
        with _cursor() as cursor:
            cursor.execute(
                "SELECT v.id, v.dealer_id, v.external_id FROM vehicles_servicevisit v "
                "JOIN unnest(%s::bigint[], %s::varchar[]) AS t(dealer_id, external_id) "
                # The condition on a non-empty id lets the partial unique index of (dealer, external id) answer.
                "ON v.dealer_id = t.dealer_id AND v.external_id = t.external_id WHERE v.external_id <> ''",
                [[row.dealer_id for row in rows], [row.external_id for row in rows]],
            )
            return {(dealer_id, ext): (pk, False) for pk, dealer_id, ext in cursor.fetchall()}

    def raise_mileage(self) -> None:
        """A vehicle's last known mileage grows, or restarts at a replaced odometer's reading; a visit dated after
        today never sets it (one update each)."""
        today = timezone.localdate()
        rows = [row for row in self.rows if row.mileage_km is not None and timezone.localtime(row.opened_at).date() <= today]
        replaced = [row for row in rows if row.odometer_replaced]
        restarted: dict[int, datetime] = {}
        for row in replaced:
            restarted[row.vehicle_id] = max(restarted.get(row.vehicle_id, row.opened_at), row.opened_at)
        with _cursor() as cursor:
            if replaced:
                cursor.execute(
                    "UPDATE vehicles_vehicle AS v SET mileage_km = t.km "
                    "FROM unnest(%s::bigint[], %s::integer[], %s::timestamptz[]) AS t(id, km, opened_at) "
                    "WHERE v.id = t.id AND NOT EXISTS (SELECT 1 FROM vehicles_servicevisit s WHERE s.vehicle_id = t.id "
                    "AND s.mileage_km IS NOT NULL AND s.opened_at > t.opened_at AND s.opened_at < %s)",
                    [[r.vehicle_id for r in replaced], [r.mileage_km for r in replaced], [r.opened_at for r in replaced],
                     start_of_tomorrow()],
                )
            # Readings from before a replaced odometer (in this batch) no longer count.
            pairs = [(row.vehicle_id, row.mileage_km) for row in rows if not row.odometer_replaced
                     and row.opened_at > restarted.get(row.vehicle_id, row.opened_at - timedelta(seconds=1))]
            if pairs:
                cursor.execute(
                    "UPDATE vehicles_vehicle AS v SET mileage_km = t.km "
                    "FROM (SELECT id, max(km) AS km FROM unnest(%s::bigint[], %s::integer[]) AS u(id, km) GROUP BY id) t "
                    "WHERE v.id = t.id AND (v.mileage_km IS NULL OR v.mileage_km < t.km)",
                    [[p[0] for p in pairs], [p[1] for p in pairs]],
                )


def _json_value(value):
    """Datetimes and amounts in the JSON batch: ISO 8601 and exact decimal text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def service_visits_bulk_upsert(*, scope: Scope, items: list) -> list[dict | None]:
    """Results of a batch of repair orders, one per item in order; None for an item left to the per-item path."""
    # Its statements bind on the server (_cursor): the change-history context (vehicles it registers) is set once.
    with history.set_once_per_transaction():
        return VisitBatch(scope, items).run()
