"""SQL around the bulk load: id blocks, what the tenant has already, foreign key checks and ANALYZE."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from psycopg import sql

from .codes import DatasetError
from .rows import TABLES

# Tables whose ids the generator assigns itself, because other rows of the same chunk point at them.
ID_TABLES = ("customers_customer", "vehicles_vehicle", "customers_lead")
# Dealer-side external-id counters and the table holding each.
REF_TABLES = {"C": "customers_customerdealer", "V": "vehicles_vehicledealer", "SO": "vehicles_sale",
              "RO": "vehicles_servicevisit", "RP": "vehicles_relatedpurchase", "LD": "customers_lead"}


def pg():
    """The session's psycopg connection (the same transaction as the ORM)."""
    connection.ensure_connection()
    return connection.connection


def _scalar(query, params=()):
    with pg().cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


def _rows(query, params=()):
    with pg().cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def check_columns() -> None:
    """Fail early, with a clear message, if a model gained a required column the generator does not fill."""
    for table, columns in TABLES.items():
        required = {name for (name,) in _rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            (table,),
        )}
        missing = required - set(columns)
        if missing:
            raise DatasetError(f"{table} has required columns the generator does not fill: {sorted(missing)}; "
                               "update vehicles/dataset/rows.py.")


def reserve_ids() -> dict[str, int]:
    """The first free id of each id table, with inserts by other sessions held off until commit.

    SHARE ROW EXCLUSIVE lets others read but makes their inserts wait, so nobody draws a sequence value inside
    the block this run fills; release_ids moves the sequence past the block.
    """
    tables = sql.SQL(", ").join(map(sql.Identifier, ID_TABLES))
    with pg().cursor() as cursor:
        cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(tables))
    starts = {}
    for table in ID_TABLES:
        after_sequence = _scalar("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", (table,))
        after_rows = _scalar(sql.SQL("SELECT coalesce(max(id), 0) + 1 FROM {}").format(sql.Identifier(table)))
        starts[table] = max(after_sequence, after_rows)
    return starts


def release_ids(starts: dict[str, int], next_ids: dict[str, int]) -> None:
    """Move each sequence past the ids the run used (or past the value reserve_ids drew)."""
    for table, next_id in next_ids.items():
        _scalar("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (table, max(starts[table], next_id - 1)))


def skip_row_triggers() -> bool:
    """Turn off row-by-row foreign key triggers for this transaction, when that is allowed and safe.

    Only a superuser may, and only if the tables have no triggers of their own (those would be skipped too).
    verify_foreign_keys then checks every reference in one pass per table instead.
    """
    if _scalar("SELECT current_setting('is_superuser')") != "on":
        return False
    own_triggers = _scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[])",
                           (list(TABLES),))
    if own_triggers:
        return False
    _scalar("SELECT set_config('session_replication_role', 'replica', true)")
    return True


def restore_row_triggers() -> None:
    _scalar("SELECT set_config('session_replication_role', 'origin', true)")


def fire_deferred_checks() -> None:
    """Run the queued row-by-row foreign key checks now, inside the run, instead of at the final commit."""
    with pg().cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def verify_foreign_keys(tenant_id: int) -> None:
    """Check every foreign key the generator wrote, for the tenant's rows, one scan per table."""
    foreign_keys = _rows(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, f.attname "
        "FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
        (list(TABLES),),
    )
    # Hash joins over millions of rows: give them memory for this transaction only.
    _scalar("SELECT set_config('work_mem', '256MB', true)")
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, target, target_column in foreign_keys:
        if column in TABLES[table]:
            by_table.setdefault(table, []).append((column, target, target_column))
    for table, keys in by_table.items():
        joins, counts = [], []
        for n, (column, target, target_column) in enumerate(keys):
            alias = sql.Identifier(f"p{n}")
            joins.append(sql.SQL("LEFT JOIN {} {} ON {}.{} = t.{}").format(
                sql.Identifier(target), alias, alias, sql.Identifier(target_column), sql.Identifier(column)))
            counts.append(sql.SQL("count(*) FILTER (WHERE t.{} IS NOT NULL AND {}.{} IS NULL)").format(
                sql.Identifier(column), alias, sql.Identifier(target_column)))
        query = sql.SQL("SELECT {} FROM {} t {} WHERE t.tenant_id = %s").format(
            sql.SQL(", ").join(counts), sql.Identifier(table), sql.SQL(" ").join(joins))
        broken = [(column, n) for (column, _t, _c), n in zip(keys, _rows(query, (tenant_id,))[0], strict=True) if n]
        if broken:
            raise DatasetError(f"{table} has references to missing rows: {broken}")


def analyze() -> None:
    """Refresh planner statistics of the loaded tables."""
    with pg().cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, TABLES))))


@dataclass
class Existing:
    """What the tenant has already, so an appended run neither reuses nor collides with it."""

    vehicles: int = 0
    customers: int = 0
    vins: set[str] = field(default_factory=set)
    mobiles: set[str] = field(default_factory=set)
    plates: set[str] = field(default_factory=set)
    plate_areas: dict[str, int] = field(default_factory=dict)
    id_hashes: set[str] = field(default_factory=set)
    refs: dict[tuple[int, str], int] = field(default_factory=dict)  # (dealer id, prefix) -> rows


def load_existing(tenant_id: int) -> Existing:
    """Counts and taken codes of the tenant; cheap for a new tenant, a set per code kind for a loaded one."""
    found = Existing()
    found.vehicles = _scalar("SELECT count(*) FROM vehicles_vehicle WHERE tenant_id = %s", (tenant_id,))
    found.customers = _scalar("SELECT count(*) FROM customers_customer WHERE tenant_id = %s", (tenant_id,))
    if found.vehicles:
        found.vins = {vin for (vin,) in _rows("SELECT vin FROM vehicles_vehicle WHERE tenant_id = %s", (tenant_id,))}
        found.plates = {plate for (plate,) in _rows(
            "SELECT plate FROM vehicles_vehicle WHERE tenant_id = %s AND plate <> ''", (tenant_id,))}
        # New-energy plates have 8 characters and their area includes the D/F letter.
        found.plate_areas = dict(_rows(
            "SELECT left(plate, CASE WHEN length(plate) = 8 THEN 3 ELSE 2 END), count(*) FROM vehicles_vehicle "
            "WHERE tenant_id = %s AND plate <> '' GROUP BY 1", (tenant_id,)))
    if found.customers:
        found.mobiles = {mobile for (mobile,) in _rows(
            "SELECT mobile FROM customers_customer WHERE tenant_id = %s AND mobile <> ''", (tenant_id,))}
        found.id_hashes = {value for (value,) in _rows(
            "SELECT id_number_hash FROM customers_customer WHERE tenant_id = %s AND id_number_hash <> ''",
            (tenant_id,))}
    for prefix, table in REF_TABLES.items():
        query = sql.SQL("SELECT dealer_id, count(*) FROM {} WHERE tenant_id = %s GROUP BY dealer_id").format(
            sql.Identifier(table))
        for dealer_id, n in _rows(query, (tenant_id,)):
            found.refs[dealer_id, prefix] = n
    return found
