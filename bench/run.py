"""Benchmarks: prints the figures the design budgets (DESIGN §8) as ratios measured in one run on this machine.

(a) GET /api/v1/service-visits/?dealer=… (50 per page, bearer token) throughput ÷ /healthz throughput (target ≥ 0.35)
(b) bulk upsert of service visits through the API, rows/s ÷ PostgreSQL COPY of the same rows (target ≥ 0.20)
(c) SQL queries per list page for every list endpoint, at two page sizes (must be equal)

Usage: .venv/bin/python bench/run.py [--dealers 20 --vehicles 50000 --visits-per-vehicle 5] [--duration 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TENANT = "bench"


def sh(*args: str, env: dict | None = None, quiet: bool = False) -> str:
    """Run a manage.py-style command and return its output."""
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stdout}\n{result.stderr}")
    if not quiet:
        print(result.stdout.strip()[-2000:])
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, args) -> None:
    """Create and migrate the bench database, and generate the synthetic network once."""
    import psycopg

    url = env["DATABASE_URL"]
    admin_url = re.sub(r"/[^/?]+(\?|$)", r"/postgres\1", url, count=1)
    name = re.search(r"/([^/?]+)(\?|$)", url.split("@")[-1]).group(1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    sh(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env, quiet=True)
    sh(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env, quiet=True)
    has_data = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c",
         f"from vehicles.models import Vehicle; print(Vehicle.objects.filter(tenant__slug='{TENANT}').exists())"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    ).stdout.strip().splitlines()
    # manage.py shell may print its own lines first (auto-imports); the answer is the last line.
    if not has_data or has_data[-1] != "True":
        started = time.perf_counter()
        sh(PYTHON, "manage.py", "generate_dataset", "--tenant", TENANT, "--dealers", str(args.dealers),
           "--vehicles", str(args.vehicles), "--visits-per-vehicle", str(args.visits_per_vehicle), "--seed", "1",
           env=env)
        print(f"dataset generated in {time.perf_counter() - started:.0f} s")


def setup_client(env: dict) -> dict:
    """An API client with write access for the dealer with the most visits; returns its token and dealer id."""
    code = f"""
import json
from django.db.models import Count
from crm_site.scope import Scope
from dealers.models import Tenant
from dealers.services import api_client_create
from vehicles.models import ServiceVisit
tenant = Tenant.objects.get(slug='{TENANT}')
row = ServiceVisit.objects.filter(tenant=tenant).values('dealer_id').annotate(n=Count('id')).order_by('-n').first()
from dealers.models import ApiClient, Dealer
from django.utils import timezone
ApiClient.objects.filter(tenant=tenant, name='bench', revoked_at__isnull=True).update(revoked_at=timezone.now())
client, token = api_client_create(scope=Scope(tenant_id=tenant.pk, role='oem_admin'), name='bench',
                                  dealer=Dealer.objects.get(pk=row['dealer_id']), access='write')
vins = list(ServiceVisit.objects.filter(dealer_id=row['dealer_id']).values_list('vehicle__vin', flat=True)
            .distinct()[:5000])
print(json.dumps({{'token': token, 'dealer': row['dealer_id'], 'visits': row['n'], 'tenant': tenant.pk, 'vins': vins}}))
"""
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_server(env: dict, port: int, app: str = "crm_site.wsgi:application",
                 probe: str = "/healthz") -> subprocess.Popen:
    """gunicorn with the product's settings (crm_site/gunicorn.conf.py), as `make run` starts it."""
    proc = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), app, "--config", "crm_site/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", probe)
            if conn.getresponse().status < 500:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("gunicorn did not start")


def wrk(url: str, seconds: int, token: str | None = None) -> float:
    """Requests per second from wrk (keep-alive, 2 threads, 16 connections); non-2xx answers fail the run."""
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk saw errors for {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def python_load(url: str, seconds: int, token: str | None = None, connections: int = 16) -> float:
    """Fallback load generator when wrk is missing: threads with keep-alive connections."""
    import threading
    from urllib.parse import urlparse

    parsed = urlparse(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    counts = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")
            counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def throughput(base: str, ceiling_base: str, info: dict, seconds: int) -> dict:
    load = wrk if shutil.which("wrk") else python_load
    list_url = f"{base}/api/v1/service-visits/?dealer={info['dealer']}&page_size=50"
    ceiling_url = f"{ceiling_base}/?dealer={info['dealer']}"
    load(f"{base}/healthz", 2)  # warm-up
    load(list_url, 2, info["token"])
    load(ceiling_url, 2, info["token"])
    health = load(f"{base}/healthz", seconds)
    listing = load(list_url, seconds, info["token"])
    ceiling = load(ceiling_url, seconds, info["token"])
    return {"healthz_rps": health, "list_rps": listing, "ratio": listing / health, "tool": load.__name__,
            "ceiling_rps": ceiling, "ceiling_ratio": ceiling / health}


def visit_items(info: dict, batch: int, n_batches: int, tag: str) -> list[list[dict]]:
    """Batches of new repair orders for vehicles the dealer already serviced."""
    vins = info["vins"]
    batches = []
    for b in range(n_batches):
        items = []
        for i in range(batch):
            n = b * batch + i
            items.append({
                "external_id": f"BENCH-{tag}-{n}", "vin": vins[n % len(vins)], "kind": "maintenance",
                "opened_at": f"2026-0{1 + n % 9}-1{n % 9}T09:{n % 60:02d}:00+08:00",
                "closed_at": f"2026-0{1 + n % 9}-1{n % 9}T17:{n % 60:02d}:00+08:00",
                "mileage_km": 10000 + n, "amount": f"{300 + n % 700}.00",
            })
        batches.append(items)
    return batches


def post_batches(port: int, token: str, batches: list[list[dict]]) -> tuple[float, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for items in batches:
        body = json.dumps({"items": items})
        conn.request("POST", "/api/v1/service-visits/bulk/", body=body,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read())
        if response.status != 200:
            sys.exit(f"bulk answered {response.status}: {str(data)[:500]}")
        for result in data["results"]:
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    return time.perf_counter() - started, statuses


def copy_rows(env: dict, info: dict, batches: list[list[dict]]) -> float:
    """COPY the same rows (ids resolved) into the same table and commit, as the API does; seconds. Removed after."""
    import psycopg

    rows = [item for items in batches for item in items]
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        ids = dict(conn.execute("SELECT vin, id FROM vehicles_vehicle WHERE tenant_id = %s AND vin = ANY(%s)",
                                [info["tenant"], info["vins"]]).fetchall())
        owners = dict(conn.execute("SELECT id, owner_id FROM vehicles_vehicle WHERE id = ANY(%s)",
                                   [list(ids.values())]).fetchall())
        columns = ("tenant_id, dealer_id, vehicle_id, customer_id, kind, opened_at, closed_at, mileage_km, amount, "
                   "external_id, created_at, updated_at")
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY vehicles_servicevisit ({columns}) FROM STDIN") as copy:
            for item in rows:
                vehicle_id = ids[item["vin"]]
                copy.write_row((info["tenant"], info["dealer"], vehicle_id, owners[vehicle_id], item["kind"],
                                item["opened_at"], item["closed_at"], item["mileage_km"], item["amount"],
                                "COPY-" + item["external_id"], "now", "now"))
        conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute("DELETE FROM vehicles_servicevisit WHERE dealer_id = %s AND external_id LIKE 'COPY-%%'",
                     [info["dealer"]])
        conn.commit()
    return elapsed


def remove_bench_visits(env: dict, info: dict) -> None:
    """Delete the repair orders the bulk measurement created, so every run starts from the same dataset."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        conn.execute("DELETE FROM vehicles_servicevisit WHERE dealer_id = %s AND external_id LIKE 'BENCH-%%'",
                     [info["dealer"]])


def bulk(port: int, env: dict, info: dict, batches_n: int) -> dict:
    tag = str(int(time.time()))
    batches = visit_items(info, 1000, batches_n, tag)
    rows = sum(len(b) for b in batches)
    api_seconds, statuses = post_batches(port, info["token"], batches)
    repeat_seconds, repeat_statuses = post_batches(port, info["token"], batches)
    copy_seconds = copy_rows(env, info, batches)
    remove_bench_visits(env, info)
    return {
        "rows": rows, "api_rows_per_s": rows / api_seconds, "copy_rows_per_s": rows / copy_seconds,
        "ratio": (rows / api_seconds) / (rows / copy_seconds), "statuses": statuses,
        "repeat_rows_per_s": rows / repeat_seconds, "repeat_statuses": repeat_statuses,
    }


def query_counts(env: dict, info: dict) -> str:
    """SQL queries per list page of every registered resource, at page sizes 10 and 50, in-process."""
    code = f"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from crm_site.api.router import router
c = Client(HTTP_AUTHORIZATION='Bearer {info['token']}', HTTP_HOST='127.0.0.1')
c.get('/api/v1/')
for prefix, _v, _b in sorted(router.registry):
    counts = []
    for size in (10, 50):
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(f'/api/v1/{{prefix}}/', {{'page_size': size}})
        counts.append((r.status_code, len(ctx.captured_queries)))
    print(f'{{prefix:<20}} {{counts[0][1]:>4}} {{counts[1][1]:>4}}   {{"constant" if counts[0][1] == counts[1][1] else "GROWS"}}  (HTTP {{counts[0][0]}})')
"""
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return out.stdout + out.stderr[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dealers", type=int, default=20)
    parser.add_argument("--vehicles", type=int, default=50_000)
    parser.add_argument("--visits-per-vehicle", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput measurement")
    parser.add_argument("--bulk-batches", type=int, default=20, help="batches of 1000 visits")
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    env.update(DJANGO_SETTINGS_MODULE="crm_site.settings.local", API_RATE="100000000/min", LOG_LEVEL="WARNING",
               DJANGO_DEBUG="false")
    prepare(env, args)
    info = setup_client(env)
    port, ceiling_port = free_port(), free_port()
    server = start_server(env, port)
    ceiling = start_server(env, ceiling_port, app="bench.ceiling:application", probe="/")
    try:
        base = f"http://127.0.0.1:{port}"
        tp = throughput(base, f"http://127.0.0.1:{ceiling_port}", info, args.duration)
        bk = bulk(port, env, info, args.bulk_batches)
    finally:
        for proc in (server, ceiling):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    counts = query_counts(env, info)

    print()
    print(f"machine: {os.cpu_count()} cores; dealer {info['dealer']} has {info['visits']} visits; load tool: {tp['tool']}")
    print(f"(a) /healthz                         {tp['healthz_rps']:>10.0f} req/s")
    print(f"    /api/v1/service-visits/ (50/page) {tp['list_rps']:>10.0f} req/s")
    print(f"    ratio                             {tp['ratio']:>10.2f}   (target >= 0.35)")
    print(f"    ceiling: the same work, no framework {tp['ceiling_rps']:>7.0f} req/s  ratio {tp['ceiling_ratio']:.2f}"
          "  (bench/ceiling.py)")
    print(f"(b) bulk upsert via API               {bk['api_rows_per_s']:>10.0f} rows/s  {bk['statuses']}")
    print(f"    same batches again (idempotent)   {bk['repeat_rows_per_s']:>10.0f} rows/s  {bk['repeat_statuses']}")
    print(f"    COPY of the same rows             {bk['copy_rows_per_s']:>10.0f} rows/s")
    print(f"    ratio                             {bk['ratio']:>10.2f}   (target >= 0.20)")
    print("(c) SQL queries per list page        size 10 / 50")
    print(counts)


if __name__ == "__main__":
    main()
