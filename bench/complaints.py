"""Benchmark: complaint escalation over 100,000 open complaints, its re-run, and the board over 1,000,000 complaints.

It builds its own data set-based in its own database (a tenant of --dealers dealers, customers, and --total
complaints over 24 months, --open of them still being worked, a share of those overdue), then measures:
  1. the escalation run at one moment (one UPDATE … RETURNING over the open complaints, events and audit rows in the
     same statement, notices for the moved ones), and that a second run at the same moment changes nothing;
  2. the full rebuild of the monthly rollups, and an incremental one after the escalation touched some months;
  3. the board (12 months, HQ scope) answering from the rollups, several times.

Usage: .venv/bin/python bench/complaints.py [--total 1000000] [--open 100000] [--dealers 200]
(DATABASE_URL default postgres://root@127.0.0.1:5432/crm_bench_complaints, created and migrated when missing.)
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
TENANT = "bench-complaints"


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


def build(total: int, open_: int, dealers: int) -> int:
    """The tenant, its network and the complaints, set-based; returns the tenant id (data kept between runs)."""
    from django.db import connection

    from callcenter.complaints.plugin import create_tenant_complaint_defaults
    from callcenter.models import Complaint
    from customers.models import Customer
    from dealers.choices import Role
    from dealers.models import Dealer, Region, Tenant, User

    tenant, created = Tenant.objects.get_or_create(slug=TENANT, defaults={"name": "投诉基准"})
    if not created and Complaint._base_manager.filter(tenant=tenant).count() == total:
        return tenant.pk
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("callcenter_complaintevent", "callcenter_complaintnotice", "callcenter_complaintmonthly",
                      "callcenter_complaint"):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
    create_tenant_complaint_defaults(tenant)
    regions = [Region.objects.get_or_create(tenant=tenant, code=f"R{n}", defaults={"name": f"大区{n}"})[0]
               for n in range(1, 11)]
    have = Dealer.objects.filter(tenant=tenant).count()
    Dealer.objects.bulk_create([Dealer(tenant=tenant, region=regions[n % 10], code=f"D{n:04d}", name=f"4S店{n}")
                                for n in range(have, dealers)])
    dealer_ids = list(Dealer.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True))[:dealers]
    for n, dealer_id in enumerate(dealer_ids[:20]):
        User.objects.get_or_create(username=f"bench-dm-{n}", defaults={
            "tenant": tenant, "role": Role.DEALER_MANAGER, "dealer_id": dealer_id, "email": f"dm{n}@example.com"})
    for n, region in enumerate(regions):
        User.objects.get_or_create(username=f"bench-rm-{n}", defaults={
            "tenant": tenant, "role": Role.REGION_MANAGER, "region": region})
    User.objects.get_or_create(username="bench-hq", defaults={"tenant": tenant, "role": Role.OEM_ADMIN})
    customers = Customer._base_manager.filter(tenant=tenant).count()
    Customer._base_manager.bulk_create([Customer(tenant=tenant, name=f"客户{n}") for n in range(customers, 20000)],
                                       batch_size=5000)
    first_customer = Customer._base_manager.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)[0]
    closed = total - open_
    with connection.cursor() as cursor:
        # Closed complaints over the last 24 months, then the open ones of the last ten days (a third overdue).
        cursor.execute("""
            INSERT INTO callcenter_complaint (tenant_id, dealer_id, created_at, updated_at, number, channel,
                customer_id, severity, description, status, level, opened_at, cycle_started_at, first_contact_at,
                resolved_at, closed_at, resolution, reopen_count, first_contact_due, resolution_due, escalate_at,
                first_contact_escalated, resolution_escalated, first_contact_hours, resolution_hours,
                first_contact_in_time, resolution_in_time)
            SELECT %(tenant)s, d.ids[1 + g %% %(dealers)s], now(), now(),
                'TB' || lpad(g::text, 10, '0'), 'hotline', %(customer)s + g %% 20000,
                (ARRAY['critical', 'high', 'normal', 'normal'])[1 + g %% 4], '基准投诉',
                CASE WHEN g <= %(closed)s THEN 'closed' ELSE 'open' END, 'dealer',
                o.at, o.at,
                CASE WHEN g <= %(closed)s THEN o.at + interval '5 hours' END,
                CASE WHEN g <= %(closed)s THEN o.at + interval '40 hours' END,
                CASE WHEN g <= %(closed)s THEN o.at + interval '60 hours' END,
                '', (g %% 17 = 0)::int, o.at + interval '24 hours', o.at + interval '72 hours',
                CASE WHEN g > %(closed)s THEN o.at + interval '24 hours' END, false, false,
                CASE WHEN g <= %(closed)s THEN 3 + g %% 30 END, CASE WHEN g <= %(closed)s THEN 20 + g %% 90 END,
                CASE WHEN g <= %(closed)s THEN g %% 10 <> 0 END, CASE WHEN g <= %(closed)s THEN g %% 7 <> 0 END
            FROM generate_series(1, %(total)s) g
            CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM dealers_dealer WHERE tenant_id = %(tenant)s) d
            CROSS JOIN LATERAL (SELECT CASE WHEN g <= %(closed)s
                THEN now() - (g %% 720) * interval '1 day' - (g %% 600) * interval '1 minute'
                ELSE now() - ((g - %(closed)s) %% 3) * interval '36 hours' - interval '1 hour' END AS at) o
        """, {"tenant": tenant.pk, "dealers": len(dealer_ids), "customer": first_customer, "closed": closed,
              "total": total})
        cursor.execute("ANALYZE callcenter_complaint")
    print(f"built {total:,} complaints ({open_:,} open) for {len(dealer_ids)} dealers in "
          f"{time.perf_counter() - started:.1f} s")
    return tenant.pk


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds * 1000:.0f} ms")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--dealers", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_complaints")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.local")
    prepare_database()
    from django.utils import timezone

    from callcenter.complaints.escalation import complaints_escalate
    from callcenter.complaints.kpis import board, complaints_rollup_rebuild
    from callcenter.complaints.views import month_list
    from crm_site import rls
    from crm_site.scope import Scope

    tenant_id = build(args.total, args.open, args.dealers)
    scope = Scope.system(tenant_id)
    rls.enter(tenant_id)
    try:
        at = timezone.now()
        first, seconds = timed(f"escalation over {args.open:,} open complaints", complaints_escalate, scope=scope,
                               at=at)
        again, again_seconds = timed("the same moment again", complaints_escalate, scope=scope, at=at)
        print(f"  moved {first.count:,} (notices sent {first.notices_sent:,}); re-run moved {again.count}")
        assert again.count == 0, "a re-run at the same moment must change nothing"
        rows, _s = timed("rollup rebuild (all months)", complaints_rollup_rebuild, scope=scope, full=True)
        print(f"  {rows:,} rollup rows")
        timed("rollup rebuild (months touched since)", complaints_rollup_rebuild, scope=scope)
        months = month_list(timezone.localdate(), 12)
        hq = Scope(tenant_id=tenant_id, role="oem_admin")
        runs = [timed(f"board, 12 months, run {n + 1}", board, hq, months)[1] for n in range(5)]
        print(f"board median {statistics.median(runs) * 1000:.0f} ms over {args.total:,} complaints "
              f"(budget: well under a second)")
    finally:
        rls.leave()


if __name__ == "__main__":
    main()
