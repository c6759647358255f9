"""Segmentation budgets (issue 13): customer value for the whole tenant, k-means segments and association rules over
the full customer base of the generated 1M-vehicle network, each timed, with the process's peak memory.

Usage: .venv/bin/python bench/segments.py [--vehicles 1000000] [--dealers 200] [--k N]
Uses bench/retention.py's database (DATABASE_URL, default crm_bench_retention) and network (generated the first
time, about four minutes at 1M). The generated customers carry demographics (gender, birth date, province, city,
occupation, income band, education), so nothing is filled in here.
Budgets: customer value < 120 s; segments < 120 s; rules < 120 s; peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.retention import ensure_network, prepare_database  # noqa: E402  (after the path is set)

BUDGET_SECONDS = 120
BUDGET_MEMORY_MB = 2048


def peak_mb() -> float:
    """The process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.1f} s (peak memory so far {peak_mb():,.0f} MB)")
    return seconds, result


def run_analysis(scope, kind: str, as_of, parameters: dict):
    from retention.segments import jobs

    run = jobs.analysis_run_queue(scope=scope, kind=kind, as_of=as_of, parameters=parameters, worker=False)
    jobs.RUNNERS[kind](scope=scope, run_id=run.pk)
    run.refresh_from_db()
    if run.status != "done":
        raise SystemExit(f"{kind} run {run.pk} {run.status}: {jobs.error_text(run)}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=1_000_000)
    parser.add_argument("--dealers", type=int, default=200)
    parser.add_argument("--k", type=int, default=None, help="Clusters (default: chosen by the silhouette, 3..8).")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_retention")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.local")
    prepare_database()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from crm_site import rls
    from crm_site.scope import Scope
    from retention.segments.sentences import cluster_sentence, rule_sentence
    from retention.value import customer_value_build

    tenant_id = ensure_network(args.vehicles, args.dealers)
    as_of = timezone.localdate() - dt.timedelta(days=1)
    scope = Scope.system(tenant_id)
    print(f"network of {args.vehicles:,} vehicles, as of {as_of} (start: {peak_mb():,.0f} MB):")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer; ANALYZE vehicles_vehicle; ANALYZE vehicles_sale; "
                       "ANALYZE vehicles_servicevisit")
    rls.enter(tenant_id)
    try:
        value_s, scored = timed("customer value", lambda: customer_value_build(scope=scope, as_of=as_of))
        print(f"    {scored:,} customers scored")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE retention_customervalue")
        segments_s, segments = timed("segments", lambda: run_analysis(scope, "segments", as_of, {"k": args.k}))
        print(f"    {segments.customers:,} customers, k = {segments.summary['k']} "
              f"({'chosen' if segments.summary['k_chosen'] else 'set'}; {segments.summary['algorithm']}), "
              f"silhouettes {segments.summary['silhouettes']}")
        for cluster in segments.clusters.order_by("number"):
            print(f"    {cluster.number}: {cluster.size:,} — {cluster_sentence(cluster.traits)}")
        rules_s, rules = timed("association rules", lambda: run_analysis(
            scope, "rules", as_of, {"min_support": 0.01, "min_confidence": 0.2}))
        print(f"    {rules.customers:,} buyers, {rules.summary}")
        for rule in rules.rules.order_by("id")[:5]:
            print(f"    {rule_sentence(rule)}")
    finally:
        rls.leave()
    memory = peak_mb()
    verdicts = [
        (f"customer value < {BUDGET_SECONDS} s", value_s < BUDGET_SECONDS),
        (f"segments < {BUDGET_SECONDS} s", segments_s < BUDGET_SECONDS),
        (f"association rules < {BUDGET_SECONDS} s", rules_s < BUDGET_SECONDS),
        (f"peak memory < {BUDGET_MEMORY_MB} MB ({memory:,.0f} MB)", memory < BUDGET_MEMORY_MB),
    ]
    for label, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'} {label}")


if __name__ == "__main__":
    main()
