"""Retention budgets (issue: retention analytics): the snapshot build at 100k and 1M vehicles (linear in the fleet),
the HQ dashboard, `retention/metrics?group_by=dealer` and a dealer scorecard in-process (median of 20, warm), with
their SQL query counts compared across network sizes (they must not grow with the number of dealers).

Usage: .venv/bin/python bench/retention.py [--small 100000] [--large 1000000] [--dealers 200] [--rounds 20]
Uses its own database (DATABASE_URL, default crm_bench_retention, created and migrated when missing) and keeps the
generated networks between runs (the 1M network takes about four minutes to generate the first time).
Budgets: build < 120 s at 1M; dashboard and metrics < 300 ms; scorecard < 150 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def slug_for(vehicles: int) -> str:
    return f"ret{vehicles // 1_000_000}m" if vehicles % 1_000_000 == 0 else f"ret{vehicles // 1000}k"


def ensure_network(vehicles: int, dealers: int) -> int:
    """The tenant of this size, generated once (200 dealers, 5 visits per vehicle, seed 1); returns its id."""
    from django.core.management import call_command

    from dealers.models import Tenant
    from vehicles.models import Vehicle

    slug = slug_for(vehicles)
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None or not Vehicle._base_manager.filter(tenant=tenant).exists():
        started = time.perf_counter()
        call_command("generate_dataset", "--tenant", slug, "--dealers", str(dealers), "--vehicles", str(vehicles),
                     "--visits-per-vehicle", "5", "--seed", "1", verbosity=0)
        print(f"  {slug}: {vehicles:,} vehicles generated in {time.perf_counter() - started:.0f} s")
        tenant = Tenant.objects.get(slug=slug)
    return tenant.pk


def build(tenant_id: int, vehicles: int) -> float:
    """One as-of build (today), in-process; returns seconds."""
    from django.db import connection
    from django.utils import timezone

    from crm_site import rls
    from crm_site.scope import Scope
    from retention.snapshot import snapshot_build
    from vehicles.models import ServiceVisit

    rls.enter(tenant_id)
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE vehicles_vehicle; ANALYZE vehicles_servicevisit")
        visits = ServiceVisit._base_manager.filter(tenant_id=tenant_id).count()
        started = time.perf_counter()
        snapshot = snapshot_build(scope=Scope.system(tenant_id), as_of=timezone.localdate())
        seconds = time.perf_counter() - started
    finally:
        rls.leave()
    with connection.cursor() as cursor:
        # What autovacuum does shortly after a build of a million rows; the pages are measured after it.
        cursor.execute("ANALYZE retention_vehiclestate; ANALYZE retention_rollup; ANALYZE retention_defectioncell")
    print(f"build_retention {vehicles:,} vehicles / {visits:,} visits: {seconds:.1f} s "
          f"({snapshot.vehicles:,} in owned bases; {seconds / vehicles * 1e6:.1f} µs per vehicle)")
    return seconds


def users(tenant_id: int):
    """An OEM analyst and the manager of the dealer with the largest owned base."""
    from dealers.choices import Role
    from dealers.models import Dealer, User
    from vehicles.models import Vehicle

    analyst, _new = User.objects.get_or_create(username=f"bench-ret-analyst-{tenant_id}", defaults={
        "tenant_id": tenant_id, "role": Role.OEM_ANALYST})
    from django.db.models import Count

    top = (Vehicle._base_manager.filter(tenant_id=tenant_id).values("selling_dealer")
           .annotate(n=Count("id")).order_by("-n").first())
    dealer = Dealer.objects.get(pk=top["selling_dealer"])
    manager, _new = User.objects.get_or_create(username=f"bench-ret-dm-{tenant_id}", defaults={
        "tenant_id": tenant_id, "role": Role.DEALER_MANAGER, "dealer": dealer})
    return analyst, manager, dealer


def measure(client, url: str, rounds: int) -> tuple[float, int]:
    """Median milliseconds of `rounds` warm GETs, and the SQL queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _n in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _n in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries)


def pages(tenant_id: int, rounds: int) -> dict:
    from django.conf import settings
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    analyst, manager, dealer = users(tenant_id)
    hq, store = Client(), Client()
    hq.force_login(analyst)
    store.force_login(manager)
    results = {
        "dashboard": measure(hq, "/retention/", rounds),
        "metrics": measure(hq, "/api/v1/retention/metrics/?group_by=dealer", rounds),
        "scorecard": measure(store, f"/retention/dealers/{dealer.pk}/", rounds),
    }
    for name, (ms, queries) in results.items():
        print(f"  {name}: median {ms:.0f} ms over {rounds} warm requests, {queries} SQL queries")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--dealers", type=int, default=200)
    parser.add_argument("--small-dealers", type=int, default=20,
                        help="Dealers of the small network (query counts must equal the large one's).")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_retention")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.local")
    prepare_database()
    seconds, page_results = {}, {}
    for size, dealers in ((args.small, args.small_dealers), (args.large, args.dealers)):
        tenant_id = ensure_network(size, dealers)
        seconds[size] = build(tenant_id, size)
        print(f"pages at {size:,} vehicles / {dealers} dealers:")
        page_results[size] = pages(tenant_id, args.rounds)
    ratio = seconds[args.large] / seconds[args.small]
    print(f"build: {seconds[args.small]:.1f} s at {args.small:,} vs {seconds[args.large]:.1f} s at {args.large:,}: "
          f"×{ratio:.1f} for ×{args.large / args.small:.0f} the fleet (linear ≈ ×{args.large / args.small:.0f})")
    large = page_results[args.large]
    verdicts = [
        ("build at 1M < 120 s", seconds[args.large] < 120),
        ("dashboard < 300 ms", large["dashboard"][0] < 300),
        ("metrics?group_by=dealer < 300 ms", large["metrics"][0] < 300),
        ("scorecard < 150 ms", large["scorecard"][0] < 150),
        ("query counts constant across network sizes",
         all(page_results[args.small][k][1] == large[k][1] for k in large)),
    ]
    for label, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'} {label}")


if __name__ == "__main__":
    main()
