"""The ceiling of benchmark (a): the least work a scoped, token-authenticated list page needs, without Django or DRF.

A bare WSGI application that does per request what the product's list of service visits must do and nothing else:
find the API client by its token hash and enter its tenant's row-level security in the same statement, count the
request against the rate limit in Redis (one script call), read the page of 50 visits of the dealer, render them
as JSON, and reset the row-level-security role. bench/run.py serves it with the same gunicorn settings as the
product and reports its throughput as a ratio of the product's /healthz: no framework-level change can take the
product's list above this figure on the same machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import psycopg
import redis

TZ = ZoneInfo("Asia/Shanghai")
ROLE = os.environ.get("DATABASE_APP_ROLE", "crm_app")
TOKEN_SQL = (
    "SELECT c.id, c.tenant_id, c.dealer_id, set_config('crm.tenant_id', c.tenant_id::text, false), "
    "set_config('role', %s, false) FROM dealers_apiclient c JOIN dealers_tenant t ON t.id = c.tenant_id "
    "WHERE c.key_hash = %s AND c.revoked_at IS NULL AND t.is_active"
)
PAGE_SQL = (
    "SELECT id, dealer_id, vehicle_id, customer_id, advisor_id, kind, mileage_km, amount, external_id, "
    "(extract(epoch from opened_at) * 1000000)::bigint, (extract(epoch from closed_at) * 1000000)::bigint, "
    "(extract(epoch from created_at) * 1000000)::bigint, (extract(epoch from updated_at) * 1000000)::bigint "
    "FROM vehicles_servicevisit WHERE tenant_id = %s AND dealer_id = %s ORDER BY id LIMIT 51"
)
RESET_SQL = "SELECT set_config('role', 'none', false), set_config('crm.tenant_id', '', false)"
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""

_local = threading.local()
_redis = redis.Redis.from_url(os.environ["REDIS_URL"])
_count = _redis.register_script(COUNT_SCRIPT)


def _connection() -> psycopg.Connection:
    """One autocommit connection per server thread, as Django keeps one per thread."""
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return conn


def _iso(us: int | None) -> str | None:
    if us is None:
        return None
    seconds, micro = divmod(us, 1_000_000)
    return datetime.fromtimestamp(seconds, TZ).replace(microsecond=micro).isoformat()


def application(environ, start_response):
    """GET /?dealer=<id> with a bearer token: the first page of that dealer's visits."""
    header = environ.get("HTTP_AUTHORIZATION", "").split()
    dealer = parse_qs(environ.get("QUERY_STRING", "")).get("dealer", ["0"])[0]
    if len(header) != 2 or not dealer.isdigit():
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [b'{"detail":"bad request"}']
    conn = _connection()
    try:
        found = conn.execute(TOKEN_SQL, [ROLE, hashlib.sha256(header[1].encode()).hexdigest()]).fetchone()
        if found is None or (found[2] is not None and found[2] != int(dealer)):
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"detail":"invalid token"}']
        count, _ttl = _count(keys=[f"ceiling:client:{found[0]}"], args=[60])
        rows = conn.execute(PAGE_SQL, [found[1], int(dealer)]).fetchall()
    finally:
        conn.execute(RESET_SQL)
    results = [
        {"id": r[0], "dealer": r[1], "vehicle": r[2], "customer": r[3], "advisor": r[4], "kind": r[5],
         "opened_at": _iso(r[9]), "closed_at": _iso(r[10]), "mileage_km": r[6], "amount": f"{r[7]:.2f}",
         "external_id": r[8], "created_at": _iso(r[11]), "updated_at": _iso(r[12])}
        for r in rows[:50]
    ]
    body = json.dumps({"next": None, "previous": None, "results": results}, ensure_ascii=False,
                      separators=(",", ":")).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
