"""Benchmark: a 50,000-row customer file through the real import (upload form check, then the import task).

It generates a CSV (unique mobiles, a fifth with resident ID numbers, dealer-system customer numbers), checks it
with the upload form as the page does, creates the job, and runs `import_run` with the uploader's scope (the Celery
task body, row-level security and all). A second thread reads the job's progress twice a second, as the page
polls it, to show that the bar moves. Then the same file again (every row matched, nothing created), and a
third file with most cities changed (set-based UPDATE), and a sample of rows through the row-by-row path for
comparison.

Usage: .venv/bin/python bench/import_customers.py [--rows 50000] [--row-path-sample 1000]
(DATABASE_URL default postgres://root@127.0.0.1:5432/crm_bench_imports, created and migrated when missing.)
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import sys
import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TENANT = "bench-imports"
HEADER = ["姓名", "手机", "身份证号", "性别", "出生日期", "城市", "客户编号"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
CITIES = ["北京", "上海", "广州", "深圳", "天津", "杭州", "南京", "成都"]


def resident_id(rng: random.Random) -> str:
    """A valid 18-character resident ID number (GB 11643 check digit)."""
    from stdnum.cn import ric

    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
    body = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def generate_csv(rows: int, seed: int = 1, cities: list[str] = CITIES) -> bytes:
    """The file a dealer system would export: UTF-8 with BOM, one customer per row (the same seed, the same people)."""
    rng = random.Random(seed)
    mobiles = rng.sample(range(10**8), rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(rows):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        id_number = resident_id(rng) if n % 5 == 0 else ""
        born = f"{1960 + rng.randrange(40)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
        writer.writerow([name, f"139{mobiles[n]:08d}", id_number, rng.choice("男女"), born, rng.choice(cities),
                         f"DMS{n:07d}"])
    return ("\ufeff" + buffer.getvalue()).encode()


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


def bench_user():
    """A dealer manager of a benchmark tenant whose customers are removed first, so every run starts alike."""
    from django.db import connection

    from dealers.choices import Role
    from dealers.models import Dealer, Region, Tenant, User

    tenant, _new = Tenant.objects.get_or_create(slug=TENANT, defaults={"name": "导入基准"})
    region, _new = Region.objects.get_or_create(tenant=tenant, code="BR1", defaults={"name": "基准大区"})
    dealer, _new = Dealer.objects.get_or_create(tenant=tenant, code="BD01",
                                                defaults={"region": region, "name": "基准4S店", "city": "北京"})
    user, _new = User.objects.get_or_create(username="bench-imports-manager", defaults={
        "tenant": tenant, "dealer": dealer, "role": Role.DEALER_MANAGER, "full_name": "基准店长"})
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_customerdealer WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("DELETE FROM customers_customer WHERE tenant_id = %s", [tenant.pk])
    return user


class ProgressWatcher(threading.Thread):
    """Reads the job's processed rows twice a second on its own connection, as the progress page does."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True)
        self.job_id, self.samples, self.done = job_id, [], threading.Event()

    def run(self) -> None:
        from django.db import connection

        from crm_site.imports.models import ImportJob

        started = time.perf_counter()
        try:
            while not self.done.wait(0.5):
                processed = ImportJob.objects.filter(pk=self.job_id).values_list("processed_rows", flat=True).first()
                self.samples.append((time.perf_counter() - started, processed))
        finally:
            connection.close()


def upload_and_run(user, content: bytes, file_name: str, label: str) -> dict:
    """Check the file with the upload form, create the job as the page does, run the task; print the timings."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm_site.imports.forms import ImportForm
    from crm_site.imports.models import ImportJob
    from crm_site.imports.tasks import import_run
    from dealers.principals import scope_for_user

    scope = scope_for_user(user)
    started = time.perf_counter()
    form = ImportForm({"kind": "customers"}, {"file": SimpleUploadedFile(file_name, content)}, scope=scope)
    if not form.is_valid():
        sys.exit(f"the upload form refused the file: {form.errors.as_text()}")
    job = ImportJob.objects.create(tenant_id=scope.tenant_id, dealer_id=form.dealer_id, created_by_id=user.pk,
                                   kind="customers", file_name=file_name, content=form.content,
                                   total_rows=form.total_rows)
    checked = time.perf_counter() - started
    watcher = ProgressWatcher(job.pk)
    watcher.start()
    started = time.perf_counter()
    outcome = import_run(job.pk, scope=scope.as_task_args(), language="zh-hans")
    seconds = time.perf_counter() - started
    watcher.done.set()
    watcher.join()
    job.refresh_from_db()
    moving = sorted({processed for _at, processed in watcher.samples if processed})
    print(f"{label}: {job.total_rows:,} rows — upload check {checked:.1f} s, import task {seconds:.1f} s "
          f"({job.total_rows / seconds:,.0f} rows/s, {seconds * 1000 / job.total_rows:.2f} ms/row); {outcome}, "
          f"{job.created_rows:,} created, {job.updated_rows:,} updated, {job.failed_rows:,} failed")
    print(f"  progress seen by the page poller: {len(moving)} distinct values in {len(watcher.samples)} polls "
          f"({', '.join(f'{p:,}' for p in moving[:6])}{' …' if len(moving) > 6 else ''})")
    return {"seconds": seconds, "rows": job.total_rows, "job": job}


def row_path_sample(user, rows: int) -> None:
    """The same kind without its chunk handler (one customer_upsert per row, each on a savepoint), for comparison."""
    from crm_site.registry import registry

    kinds = registry["import_kinds"]
    bulk = kinds["customers"]
    kinds["customers"] = replace(bulk, chunk_handler=None)
    try:
        content = generate_csv(rows, seed=2)
        upload_and_run(user, content, "row-path.csv", f"row-by-row path, {rows:,} new rows")
    finally:
        kinds["customers"] = bulk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--row-path-sample", type=int, default=1000, help="rows through the row path (0: skip)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_imports")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.update(DJANGO_SETTINGS_MODULE="crm_site.settings.local", LOG_LEVEL="WARNING", DJANGO_DEBUG="false",
                      IMPORT_MAX_ROWS=str(max(args.rows, 50_000)))
    prepare_database()
    user = bench_user()
    started = time.perf_counter()
    content = generate_csv(args.rows)
    print(f"machine: {os.cpu_count()} cores; generated {args.rows:,} rows ({len(content) / 1e6:.1f} MB) "
          f"in {time.perf_counter() - started:.1f} s")
    first = upload_and_run(user, content, "customers.csv", "new customers")
    upload_and_run(user, content, "customers.csv", "same file again")
    moved = generate_csv(args.rows, cities=CITIES[::-1])  # the same people, most of them in another city now
    upload_and_run(user, moved, "customers-moved.csv", "every city changed")
    if args.row_path_sample:
        bench_user()  # the row path starts from an empty tenant too
        row_path_sample(user, args.row_path_sample)
    target = 60
    verdict = "within" if first["seconds"] < target else "OVER"
    print(f"\n50k-row budget: {first['seconds']:.1f} s for {first['rows']:,} rows, {verdict} the {target} s target")


if __name__ == "__main__":
    main()
