"""Benchmark: what the change-history triggers cost the DMS batches (POST /api/v1/{customers,vehicles,service-visits}/bulk/).

Each batch of 1,000 items goes through the whole stack in-process (token authentication, row-level security, the
history context, the resource's bulk path), first with the history triggers on, then with them disabled
(`ALTER TABLE … DISABLE TRIGGER USER` on the tracked tables), on fresh rows each time: new customers, the same
customers updated (a changed city), new vehicles (the per-item path), and service visits on those vehicles (the
set-based path; visits are not tracked, their mileage moves the vehicle's untracked mileage).

`--statements` measures the database side alone, where the triggers' cost is: the same 10,000 rows written by set-based
statements (bulk_create, one UPDATE, and the real service-visit batch function), each inside a transaction that is
rolled back (the trigger switch is part of it), alternating on and off five times and keeping the best, as the
application role inside the tenant's row-level security with a history context set.

Usage: .venv/bin/python bench/history_cost.py [--rows 10000] [--repeat 2] [--statements]
(DATABASE_URL default postgres://root@127.0.0.1:5432/crm_bench_history, created and migrated when missing.)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TENANT = "bench-history"
TRACKED = ("customers_customer", "customers_consentrecord", "vehicles_vehicle", "callcenter_complaint",
           "callcenter_followuprule")
BATCH = 1000


def prepare_database() -> None:
    """Create the benchmark database when missing; Django is set up and migrated on it."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    admin_url = re.sub(r"/[^/?]+(\?|$)", r"/postgres\1", url, count=1)
    name = re.search(r"/([^/?]+)(\?|$)", url.split("@")[-1]).group(1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def client_token() -> tuple[object, str]:
    """The tenant, one dealer and a write API client of that dealer (its DMS); a fresh token each run."""
    from crm_site.scope import Scope
    from dealers.choices import ApiScope
    from dealers.models import Dealer, Region, Tenant
    from dealers.services import api_client_create

    tenant, _created = Tenant.objects.get_or_create(slug=TENANT, defaults={"name": "变更记录基准"})
    region, _created = Region.objects.get_or_create(tenant=tenant, code="R1", defaults={"name": "大区1"})
    dealer, _created = Dealer.objects.get_or_create(tenant=tenant, code="D0001",
                                                    defaults={"region": region, "name": "4S店1"})
    _client, token = api_client_create(scope=Scope(tenant_id=tenant.pk, role="oem_admin"), name="bench DMS",
                                       dealer=dealer, access=ApiScope.WRITE)
    return tenant, token


def set_triggers(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TRACKED:
            cursor.execute(f'ALTER TABLE "{table}" {"ENABLE" if on else "DISABLE"} TRIGGER USER')


def post_batches(api, resource: str, items: list[dict]) -> float:
    """Seconds to send the items in batches of 1,000; every item must succeed."""
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        response = api.post(f"/api/v1/{resource}/bulk/", {"items": items[start:start + BATCH]}, format="json")
        assert response.status_code == 200, response.content[:500]
        failed = [r for r in response.json()["results"] if r["status"] == "error"]
        assert not failed, failed[:3]
    return time.perf_counter() - started


def run(api, rows: int, offset: int) -> dict[str, float]:
    from tests.vehicles.factories import make_vin

    people = [{"name": f"客户{n}", "mobile": f"139{n:08d}", "city": "北京"} for n in range(offset, offset + rows)]
    moved = [{**person, "city": "上海"} for person in people]
    cars = [{"vin": make_vin(n, prefix="LSGKB54H0D"), "colour": "白"} for n in range(offset, offset + rows)]
    visits = [{"external_id": f"RO-{n}", "vin": car["vin"], "kind": "maintenance",
               "opened_at": "2025-06-01T09:30:00+08:00", "closed_at": "2025-06-01T17:00:00+08:00",
               "mileage_km": 10_000 + n % 1000, "amount": "380.00"} for n, car in enumerate(cars)]
    return {
        "customers, new": post_batches(api, "customers", people),
        "customers, updated": post_batches(api, "customers", moved),
        "vehicles, new (per item)": post_batches(api, "vehicles", cars),
        "service visits, new (set-based)": post_batches(api, "service-visits", visits),
    }


class Rollback(Exception):
    pass


def timed_statement(work, triggers: bool, tenant_id: int) -> float:
    """Seconds of `work()` in a rolled-back transaction, with the history triggers on or off."""
    from django.db import transaction

    from crm_site import history, rls

    started = 0.0
    try:
        with transaction.atomic():
            set_triggers(triggers)  # as the tables' owner, undone by the rollback
            rls.enter(tenant_id)
            try:
                with history.channel(channel=history.BULK, user=None, api_client=1, actor="bench DMS"):
                    started = time.perf_counter()
                    work()
                    seconds = time.perf_counter() - started
            finally:
                rls.leave()
            raise Rollback
    except Rollback:
        pass
    return seconds


def statements(rows: int, tenant) -> None:
    """The triggers' cost on set-based writes, measured on the database side."""
    from crm_site.scope import Scope
    from customers.models import Customer
    from dealers.models import Dealer
    from tests.vehicles.factories import make_vin
    from vehicles.bulk import service_visits_bulk_upsert
    from vehicles.models import Vehicle

    dealer = Dealer.objects.get(tenant=tenant, code="D0001")
    scope = Scope(tenant_id=tenant.pk, role="api_client", dealer_ids=frozenset({dealer.pk}), api_client_id=1)
    base = 5_000_000

    def new_customers():
        Customer.objects.bulk_create([Customer(tenant_id=tenant.pk, name=f"客户{n}", mobile=f"+86137{n:08d}",
                                               city="北京") for n in range(base, base + rows)])

    def changed_customers():
        new_customers()
        Customer.objects.filter(tenant_id=tenant.pk, mobile__startswith="+86137").update(city="上海")

    def new_vehicles():
        Vehicle.objects.bulk_create([Vehicle(tenant_id=tenant.pk, vin=make_vin(n, prefix="LSGKB54H0E"), colour="白")
                                     for n in range(base, base + rows)])

    def visits():
        vins = list(Vehicle.objects.filter(tenant_id=tenant.pk).order_by("pk").values_list("vin", flat=True)[:rows])
        items = [{"external_id": f"SQL-{n}", "vin": vin, "kind": "maintenance",
                  "opened_at": "2025-07-01T09:30:00+08:00", "closed_at": "2025-07-01T17:00:00+08:00",
                  "mileage_km": 20_000 + n % 1000, "amount": "380.00"} for n, vin in enumerate(vins)]
        for start in range(0, len(items), BATCH):
            results = service_visits_bulk_upsert(scope=scope, items=items[start:start + BATCH])
            assert all(r is None or r["status"] != "error" for r in results), results[:3]

    steps = {"customers: INSERT (bulk_create)": new_customers,
             "customers: INSERT + one UPDATE of all": changed_customers,
             "vehicles: INSERT (bulk_create)": new_vehicles,
             "service visits: the DMS batch function (vehicles' mileage moves)": visits}
    print(f"Database side, {rows:,} rows, best of 5 alternating passes (rolled back):")
    print("| statements | with history (s) | without (s) | cost |")
    print("|---|---|---|---|")
    for label, work in steps.items():
        best = {True: [], False: []}
        for n in range(5):
            for on in ((True, False) if n % 2 == 0 else (False, True)):
                best[on].append(timed_statement(work, on, tenant.pk))
        on, off = min(best[True]), min(best[False])
        print(f"| {label} | {on:.3f} | {off:.3f} | {100 * (on - off) / off:+.0f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--statements", action="store_true", help="only the database side (see above)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_history")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.local")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("API_RATE", "100000/min")
    prepare_database()
    from rest_framework.test import APIClient

    from customers.models import CustomerHistory
    from vehicles.models import Vehicle, VehicleHistory

    tenant, token = client_token()
    if args.statements:
        statements(args.rows, tenant)
        return
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = Vehicle._base_manager.filter(tenant=tenant).count()  # fresh rows each pass
    results = {"with": [], "without": []}
    events = 0
    try:
        # Alternating passes on a shared machine; the best of each is reported.
        for n in range(args.repeat):
            for mode in (("with", "without") if n % 2 == 0 else ("without", "with")):
                set_triggers(mode == "with")
                before = CustomerHistory._base_manager.count() + VehicleHistory._base_manager.count()
                results[mode].append(run(api, args.rows, base))
                base += args.rows
                if mode == "with":
                    events = CustomerHistory._base_manager.count() + VehicleHistory._base_manager.count() - before
    finally:
        set_triggers(True)
    best = {mode: {step: min(p[step] for p in passes) for step in passes[0]} for mode, passes in results.items()}
    print(f"{args.rows:,} rows per step, batches of {BATCH:,}, best of {args.repeat}; {events:,} history events per pass with "
          "triggers on")
    print("| step | with history (s) | without (s) | rows/s with | rows/s without | cost |")
    print("|---|---|---|---|---|---|")
    for step, seconds in best["with"].items():
        without = best["without"][step]
        print(f"| {step} | {seconds:.2f} | {without:.2f} | {args.rows / seconds:,.0f} | {args.rows / without:,.0f} "
              f"| {100 * (seconds - without) / without:+.0f}% |")


if __name__ == "__main__":
    main()
