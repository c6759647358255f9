"""Production settings refuse to start without a secret key and pass Django's deployment checks."""

import os
import subprocess
import sys

from django.conf import settings


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; production never has it.
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(DJANGO_SETTINGS_MODULE="crm_site.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_passes_check_deploy():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY="k" * 20 + "-Z9y8X7w6V5u4T3s2R1q0P-long-and-random-enough",
        DJANGO_ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_agree():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
