"""Call-center budgets (issue: follow-up call lists): generation at two fleet sizes, 50 concurrent claimers over
HTTP against gunicorn, and the workspace's "next call" in-process.

Usage: .venv/bin/python bench/callcenter.py [--small 100000] [--large 1000000] [--agents 50] [--tasks 5000]
(also run by bench/run.py --callcenter). Uses its own database (DATABASE_URL, default crm_bench_cc) and keeps the
generated networks between runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import PYTHON, free_port, sh, start_server  # noqa: E402

CLAIM_QUEUE = "bench-claim"


def ensure_database(env: dict) -> None:
    import psycopg

    url = env["DATABASE_URL"]
    admin_url = re.sub(r"/[^/?]+(\?|$)", r"/postgres\1", url, count=1)
    name = re.search(r"/([^/?]+)(\?|$)", url.split("@")[-1]).group(1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    sh(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env, quiet=True)


def shell(env: dict, code: str) -> dict:
    """Run Python in `manage.py shell` and return the JSON its last line prints."""
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_network(env: dict, slug: str, dealers: int, vehicles: int) -> None:
    has = shell(env, f"import json; from vehicles.models import Vehicle; "
                     f"print(json.dumps(Vehicle.objects.filter(tenant__slug='{slug}').count()))")
    if has:
        return
    started = time.perf_counter()
    sh(PYTHON, "manage.py", "generate_dataset", "--tenant", slug, "--dealers", str(dealers), "--vehicles",
       str(vehicles), "--visits-per-vehicle", "5", "--seed", "1", env=env, quiet=True)
    print(f"  {slug}: dataset of {vehicles:,} vehicles generated in {time.perf_counter() - started:.0f} s")


def generation(env: dict, slug: str) -> dict:
    """Time a first and a second generation run for today, in-process (without Python's start-up)."""
    code = f"""
import json, time
from django.utils import timezone
from crm_site import rls
from crm_site.scope import Scope
from dealers.models import Tenant
from callcenter.generation import followups_generate
from callcenter.models import FollowUpRun, FollowUpTask
from callcenter.rules import rules_create_defaults
tenant = Tenant.objects.get(slug='{slug}')
rules_create_defaults(tenant)
scope = Scope.system(tenant.pk)
rls.enter(tenant.pk)
FollowUpTask.objects.filter(tenant=tenant).delete()
times, runs = [], []
for _ in range(2):
    started = time.perf_counter()
    run = followups_generate(scope=scope, on=timezone.localdate(), source='command')
    times.append(time.perf_counter() - started)
    runs.append(run)
print(json.dumps({{"first": times[0], "second": times[1], "created": runs[0].created_count,
                  "skipped": runs[0].skipped_count, "again": runs[1].created_count,
                  "per_rule": {{line["code"]: line["seconds"] for line in runs[0].per_rule}}}}))
"""
    return shell(env, code)


def slug_for(vehicles: int) -> str:
    """The bench tenant of a network size: cc100k, cc1m."""
    return f"cc{vehicles // 1_000_000}m" if vehicles % 1_000_000 == 0 else f"cc{vehicles // 1000}k"


def prepare_claims(env: dict, slug: str, agents: int, tasks: int) -> dict:
    """A queue of `tasks` tasks of distinct customers (none when 0), `agents` agents with tokens, calls allowed
    all day today."""
    code = f"""
import json, datetime as dt
from django.db import connection
from django.utils import timezone
from crm_site import rls
from dealers.models import Tenant, User
from dealers.choices import Role
from dealers.services import user_token_issue
from callcenter.models import FollowUpRule, FollowUpTask, WorkingCalendar
tenant = Tenant.objects.get(slug='{slug}')
rls.enter(tenant.pk)
calendar, _ = WorkingCalendar.objects.get_or_create(tenant=tenant, dealer=None)
calendar.calls_from, calendar.calls_until = dt.time(0, 0), dt.time(23, 59, 59)
calendar.save()
calendar.exceptions.update_or_create(day=timezone.localdate(), defaults={{"tenant": tenant, "is_working": True}})
rule, _ = FollowUpRule.objects.get_or_create(tenant=tenant, code='{CLAIM_QUEUE}', defaults=dict(
    name='bench claims', trigger='campaign', offset_days=0, queue='{CLAIM_QUEUE}', purpose='service', priority=1))
FollowUpTask.objects.filter(rule=rule).delete()
with connection.cursor() as cursor:
  if {tasks}:
    cursor.execute('''
        INSERT INTO callcenter_followuptask (tenant_id, dealer_id, rule_id, queue, worked_by, customer_id, subject_id,
            occurrence, trigger_on, due_on, expires_on, priority, status, attempts, outcome, notes, answers,
            created_at, updated_at)
        SELECT %s, cd.dealer_id, %s, %s, 'call_center', cd.customer_id, cd.customer_id, CURRENT_DATE, CURRENT_DATE,
               CURRENT_DATE, CURRENT_DATE + 7, 1, 'open', 0, '', '', '{{}}'::jsonb, now(), now()
        FROM (SELECT DISTINCT ON (customer_id) customer_id, dealer_id FROM customers_customerdealer
              WHERE tenant_id = %s ORDER BY customer_id LIMIT %s) cd''',
        [tenant.pk, rule.pk, '{CLAIM_QUEUE}', tenant.pk, {tasks}])
# Other queues must not interfere with the count: the claimers ask for this queue only.
tokens = []
for n in range({agents}):
    user, _ = User.objects.get_or_create(username=f'{slug}-agent-{{n}}', defaults=dict(
        tenant=tenant, role=Role.CC_AGENT, full_name=f'坐席{{n}}'))
    tokens.append(user_token_issue(user=user)[0])
print(json.dumps({{"tokens": tokens, "tasks": FollowUpTask.objects.filter(rule=rule).count()}}))
"""
    return shell(env, code)


def claim_storm(port: int, tokens: list[str]) -> dict:
    """Every agent claims from the queue on its own keep-alive connection until it is empty."""
    claimed: list[list[int]] = [[] for _ in tokens]
    errors: list[str] = []
    barrier = threading.Barrier(len(tokens))

    def agent(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
        body = json.dumps({"queue": CLAIM_QUEUE})
        barrier.wait()
        while True:
            conn.request("POST", "/api/v1/follow-ups/claim-next/", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status == 204:
                return
            if response.status != 200:
                errors.append(f"{response.status} {data[:200]!r}")
                return
            row = json.loads(data)
            claimed[i].extend([row["id"], *row["bundle"]])

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(len(tokens))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [pk for ids in claimed for pk in ids]
    return {"claimed": len(every), "distinct": len(set(every)), "duplicates": len(every) - len(set(every)),
            "seconds": elapsed, "per_second": len(every) / elapsed, "errors": errors[:5],
            "agents_with_work": sum(1 for ids in claimed if ids)}


def next_call_latency(env: dict, slug: str, rounds: int) -> dict:
    """POST /callcenter/next/ through Django's test client (middleware, RLS, the claim), then give the task back."""
    code = f"""
import json, statistics, time
from django.conf import settings
from django.test import Client
from django.utils import timezone
settings.ALLOWED_HOSTS.append('testserver')
from crm_site import rls
from dealers.models import Tenant, User
from callcenter.models import FollowUpTask
from callcenter.queue import followup_release
from dealers.principals import scope_for_user
tenant = Tenant.objects.get(slug='{slug}')
agent = User.objects.get(username='{slug}-agent-0')
client = Client()
client.force_login(agent)
times = []
for _ in range({rounds}):
    started = time.perf_counter()
    response = client.post('/callcenter/next/')
    times.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 302 and '/tasks/' in response.url, response.url
    rls.enter(tenant.pk)
    pk = int(response.url.rstrip('/').rsplit('/', 1)[1])
    followup_release(scope=scope_for_user(agent), task=FollowUpTask.objects.get(pk=pk))
    rls.leave()
open_tasks = FollowUpTask.objects.filter(tenant=tenant, status__in=['open', 'claimed'], worked_by='call_center').count()
print(json.dumps({{"median_ms": statistics.median(times), "p90_ms": sorted(times)[int(len(times) * 0.9)],
                  "open_call_center_tasks": open_tasks}}))
"""
    return shell(env, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100_000, help="vehicles of the smaller network")
    parser.add_argument("--large", type=int, default=1_000_000, help="vehicles of the full network")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30, help="next-call measurements")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_cc")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    env["DJANGO_SETTINGS_MODULE"] = "crm_site.settings.local"
    env.setdefault("API_RATE", "100000/min")  # the storm measures the claim, not the per-principal rate limit
    ensure_database(env)
    small, large = slug_for(args.small), slug_for(args.large)
    ensure_network(env, small, 20, args.small)
    ensure_network(env, large, 200, args.large)

    print("Follow-up generation (all default rules, for today):")
    figures = {}
    for slug, size in ((small, args.small), (large, args.large)):
        figures[slug] = result = generation(env, slug)
        print(f"  {size:>9,} vehicles: first run {result['first']:.2f} s ({result['created']:,} created, "
              f"{result['skipped']:,} skipped), second run {result['second']:.2f} s ({result['again']} created, "
              f"{result['second'] / result['first']:.0%} of the first)")
        print(f"             per rule: {', '.join(f'{k} {v:.2f} s' for k, v in result['per_rule'].items())}")
    ratio = figures[large]["first"] / figures[small]["first"]
    print(f"  growth: {args.large // args.small}× the vehicles took {ratio:.1f}× the time (linear: "
          f"{args.large // args.small}×)")

    print(f"Concurrent claims ({args.agents} agents, one queue of {args.tasks:,} tasks, HTTP, gunicorn):")
    info = prepare_claims(env, small, args.agents, args.tasks)
    port = free_port()
    server = start_server(env, port)
    try:
        storm = claim_storm(port, info["tokens"])
    finally:
        server.terminate()
        server.wait(10)
    held = shell(env, f"""
import json
from callcenter.models import FollowUpTask
rows = FollowUpTask.objects.filter(tenant__slug='{small}', queue='{CLAIM_QUEUE}')
print(json.dumps({{"held": rows.filter(status='claimed', assigned_to__isnull=False).count(), "all": rows.count()}}))
""")
    extra = storm["claimed"] - held["held"]
    print(f"  {held['held']:,} of the queue's {held['all']:,} tasks claimed, each by one agent; {storm['distinct']:,} "
          f"tasks handed out in all ({extra:,} other due tasks of the same customers came in the same calls), "
          f"{storm['duplicates']} duplicates, {storm['agents_with_work']} agents got work, "
          f"{storm['per_second']:.0f} tasks/s" + (f"; errors: {storm['errors']}" if storm["errors"] else ""))

    print(f"Workspace \"next call\" at {args.large:,} vehicles (in-process, {args.rounds} rounds):")
    prepare_claims(env, large, 1, 0)  # the generated queues of the full network, as they are
    latency = next_call_latency(env, large, args.rounds)
    print(f"  median {latency['median_ms']:.1f} ms, p90 {latency['p90_ms']:.1f} ms "
          f"({latency['open_call_center_tasks']:,} open call-center tasks in the tenant; budget: median < 100 ms)")


if __name__ == "__main__":
    main()
