"""Survey budgets (issue: satisfaction surveys): invitation generation over the full network (set-based,
idempotent), `survey-indices` for a month at 200 dealers with 1,000,000 responses in the tenant (< 300 ms), and the
public link page through gunicorn (≥ 200 requests/s, HTML + CSS + JS < 100 kB).

Usage: .venv/bin/python bench/surveys.py [--dealers 200] [--vehicles 1000000] [--responses 1000000] [--seconds 10]
                                         [--parts generation,indices,link]
Uses its own database (DATABASE_URL, default crm_bench_sv) and keeps the generated network between runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import free_port, start_server  # noqa: E402

from callcenter import ensure_database, ensure_network, shell  # noqa: E402

SETUP = """
import json, time
from django.db import connection
from dealers.models import Tenant
from surveys.services import create_tenant_templates
tenant = Tenant.objects.get(slug='{slug}')
create_tenant_templates(tenant)
with connection.cursor() as cursor:
    # Survey consent by SMS for four customers in five who gave none on that channel (set-based).
    cursor.execute(\"\"\"INSERT INTO customers_consentrecord (tenant_id, customer_id, channel, purpose, granted,
                             source, text_version, created_at, updated_at)
                      SELECT c.tenant_id, c.id, 'sms', 'survey', c.id %% 5 <> 0, 'import', '', now(), now()
                      FROM customers_customer c WHERE c.tenant_id = %s AND NOT EXISTS (
                          SELECT 1 FROM customers_consentrecord r
                          WHERE r.customer_id = c.id AND r.channel = 'sms' AND r.purpose = 'survey')\"\"\",
                   [tenant.pk])
    cursor.execute("SELECT max(delivered_on) FROM vehicles_sale WHERE tenant_id = %s", [tenant.pk])
    last = cursor.fetchone()[0]
print(json.dumps({{"tenant": tenant.pk, "last_sale": last.isoformat()}}))
"""

GENERATE = """
import datetime as dt, json, time
from crm_site import rls
from crm_site.scope import Scope
from surveys.invitations import invitations_generate
from surveys.models import SurveyInvitation
tenant, last = {tenant}, dt.date.fromisoformat('{last}')
rls.enter(tenant)
scope = Scope.system(tenant)
SurveyInvitation.objects.filter(tenant_id=tenant, period='', subject_id__lt=900_000_000_000).delete()
day = last + dt.timedelta(days=3)
started = time.perf_counter()
first = invitations_generate(scope=scope, on=day)
first_s = time.perf_counter() - started
started = time.perf_counter()
again = invitations_generate(scope=scope, on=day)
again_s = time.perf_counter() - started
# A year of daily runs, as the beat makes them (each day also catches up the week before).
started = time.perf_counter()
year = 0
for n in range(0, 364, 7):
    report = invitations_generate(scope=scope, on=day - dt.timedelta(days=n))
    year += sum(line['created'] for key, line in report.items() if not key.startswith('#'))
year_s = time.perf_counter() - started
count = lambda r: sum(line['created'] for k, line in r.items() if not k.startswith('#'))
skipped = lambda r: sum(sum(line['skipped'].values()) for k, line in r.items() if not k.startswith('#'))
print(json.dumps({{"first_s": first_s, "created": count(first), "skipped": skipped(first), "again_s": again_s,
                  "again": count(again), "year_s": year_s, "year": year, "runs": len(range(0, 364, 7))}}))
"""

# 1,000,000 answered invitations and their responses over 12 months, spread over the dealers (set-based).
RESPONSES = """
import json, time
from django.db import connection
from surveys.models import SurveyTemplate
tenant, wanted = {tenant}, {responses}
ssi = SurveyTemplate.objects.get(tenant_id=tenant, code='ssi', is_current=True)
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM surveys_surveyresponse WHERE tenant_id = %s AND family = 'ssi'", [tenant])
    have = cursor.fetchone()[0]
    started = time.perf_counter()
    if have < wanted:
        cursor.execute(\"\"\"
            WITH d AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM dealers_dealer WHERE tenant_id = %(t)s)
            INSERT INTO surveys_surveyinvitation (tenant_id, dealer_id, template_id, kind, subject_kind, subject_id,
                subject_on, period, channel, status, expires_at, nonce, created_at, updated_at, answered_at)
            SELECT %(t)s, d.ids[1 + ((g / 12) %% d.n)], %(tpl)s, 'ssi', 'sale', 900000000000 + g,
                   (date '2026-11-15' - ((g %% 12) * interval '1 month'))::date, '', 'link', 'answered', now(),
                   md5(g::text), now(), now(), now()
            FROM generate_series(%(lo)s, %(hi)s) g, d
            ON CONFLICT DO NOTHING\"\"\", {{"t": tenant, "tpl": ssi.pk, "lo": have + 1, "hi": wanted}})
        cursor.execute(\"\"\"
            INSERT INTO surveys_surveyresponse (tenant_id, dealer_id, invitation_id, template_id, family, kind, month,
                via, answers, index, factors, top_box, all_max, nps_score, nps_category, answered_at, created_at,
                updated_at)
            SELECT i.tenant_id, i.dealer_id, i.id, i.template_id, 'ssi', 'ssi', date_trunc('month', i.subject_on)::date,
                   'link', '{{}}'::jsonb, s.idx, jsonb_build_object('deal', s.idx - 20, 'salesperson', s.idx + 10,
                   'delivery_process', s.idx, 'dealer_facility', s.idx - 5, 'sales_initiation', s.idx + 5),
                   s.nps = 10, false, s.nps,
                   CASE WHEN s.nps >= 9 THEN 'promoter' WHEN s.nps >= 7 THEN 'passive' ELSE 'detractor' END,
                   i.subject_on, now(), now()
            FROM surveys_surveyinvitation i
            CROSS JOIN LATERAL (SELECT 600 + (i.subject_id * 7919 %% 400) AS idx, (i.subject_id * 31 %% 11) AS nps) s
            WHERE i.tenant_id = %(t)s AND i.subject_id > 900000000000 + %(have)s AND i.kind = 'ssi'
            ON CONFLICT DO NOTHING\"\"\", {{"t": tenant, "have": have}})
    # As autovacuum leaves a table at rest: statistics and the visibility map.
    cursor.execute("VACUUM (ANALYZE) surveys_surveyresponse")
    cursor.execute("VACUUM (ANALYZE) surveys_surveyinvitation")
    cursor.execute("SELECT count(*) FROM surveys_surveyresponse WHERE tenant_id = %s", [tenant])
    total = cursor.fetchone()[0]
print(json.dumps({{"responses": total, "seconds": time.perf_counter() - started, "template": ssi.pk}}))
"""

INDICES = """
import json, statistics, time
from django.conf import settings
from rest_framework.test import APIClient
from dealers.choices import Role
from dealers.models import User
settings.ALLOWED_HOSTS.append('testserver')
user = User.objects.filter(tenant_id={tenant}, username='sv-analyst-{tenant}').first() or User.objects.create_user(
    username='sv-analyst-{tenant}', password='x', tenant_id={tenant}, role=Role.OEM_ANALYST)
client = APIClient()
client.force_authenticate(user)
times, rows = [], 0
for group_by in ['dealer'] * 7 + ['region', 'tenant']:
    started = time.perf_counter()
    response = client.get('/api/v1/survey-indices/', {{'template': {template}, 'month': '2026-11', 'group_by': group_by}})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.content
    if group_by == 'dealer':
        times.append(elapsed)
        rows = len(response.json()['results'])
        month_responses = sum(r['responses'] for r in response.json()['results'])
print(json.dumps({{"median_ms": statistics.median(times[1:]), "max_ms": max(times[1:]), "dealers": rows,
                  "month_responses": month_responses}}))
"""

LINKS = """
import datetime as dt, json, secrets
from django.utils import timezone
from surveys.links import link_path
from surveys.models import SurveyInvitation, SurveyTemplate
tenant = {tenant}
ssi = SurveyTemplate.objects.get(tenant_id=tenant, code='ssi', is_current=True)
rows = list(SurveyInvitation.objects.filter(tenant_id=tenant, status='pending', channel='link', kind='ssi')[:200])
SurveyInvitation.objects.filter(pk__in=[r.pk for r in rows]).update(expires_at=timezone.now() + dt.timedelta(days=7))
print(json.dumps([link_path(r) for r in rows]))
"""


def link_load(port: int, paths: list[str], seconds: int, connections: int = 16) -> dict:
    """Keep-alive GETs of many different links from `connections` threads; every answer must be 200."""
    counts, errors = [0] * connections, []
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = i
        while time.perf_counter() < stop:
            conn.request("GET", paths[n % len(paths)])
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
                return
            counts[i] += 1
            n += connections

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"per_second": sum(counts) / seconds, "errors": errors[:5]}


def page_weight(port: int, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    html = conn.getresponse().read()
    total = len(html)
    for asset in ("/static/surveys/link.css", "/static/surveys/link.js"):
        conn.request("GET", asset)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            body = (ROOT / "static" / asset.removeprefix("/static/")).read_bytes()
        total += len(body)
    return {"html": len(html), "total": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dealers", type=int, default=200)
    parser.add_argument("--vehicles", type=int, default=1_000_000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of the link-page load")
    parser.add_argument("--parts", default="generation,indices,link",
                        help="which measures to run, comma-separated (default: all three)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_sv")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
    env["DJANGO_SETTINGS_MODULE"] = "crm_site.settings.local"
    # The load comes from one address: the per-address limit would answer 429 (it is tested in tests/surveys).
    env["SURVEY_LINK_RATE_PER_MINUTE"] = "100000000"
    ensure_database(env)
    slug = f"sv{args.vehicles // 1000}k"
    ensure_network(env, slug, args.dealers, args.vehicles)
    info = shell(env, SETUP.format(slug=slug))

    if "generation" in parts:
        print(f"Invitation generation ({args.vehicles:,} vehicles, {args.dealers} dealers; SSI and CSI templates):")
        gen = shell(env, GENERATE.format(tenant=info["tenant"], last=info["last_sale"]))
        print(f"  one day: {gen['first_s']:.2f} s ({gen['created']:,} created, {gen['skipped']:,} skipped); re-run "
              f"{gen['again_s']:.2f} s ({gen['again']} created)")
        print(f"  a year of runs ({gen['runs']} runs a week apart, each with its week of catch-up): "
              f"{gen['year_s']:.1f} s, {gen['year']:,} invitations (budget: minutes)")

    if "indices" in parts:
        made = shell(env, RESPONSES.format(tenant=info["tenant"], responses=args.responses))
        print(f"survey-indices ({made['responses']:,} responses in the tenant; made in {made['seconds']:.0f} s; "
              "the indices read the monthly sums the triggers keep):")
        idx = shell(env, INDICES.format(tenant=info["tenant"], template=made["template"]))
        print(f"  month 2026-11 by dealer: median {idx['median_ms']:.0f} ms, max {idx['max_ms']:.0f} ms "
              f"({idx['dealers']} dealers, {idx['month_responses']:,} responses that month; budget < 300 ms)")

    if "link" not in parts:
        return

    paths = shell(env, LINKS.format(tenant=info["tenant"]))
    if not paths:
        sys.exit("no pending link invitations to load")
    port = free_port()
    server = start_server(env, port)
    try:
        weight = page_weight(port, paths[0])
        load = link_load(port, paths, args.seconds)
    finally:
        server.terminate()
        server.wait(10)
    print(f"Link page /s/<token>/ ({len(paths)} different links, gunicorn, 16 keep-alive connections):")
    print(f"  {load['per_second']:.0f} requests/s (budget ≥ 200)" + (f"; errors {load['errors']}" if load["errors"]
                                                                    else ""))
    print(f"  weight: HTML {weight['html']:,} B, HTML + CSS + JS {weight['total']:,} B (budget < 100 kB)")


if __name__ == "__main__":
    main()
