"""Settings for the test suite: real PostgreSQL and Redis, fast password hashing."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
DEMO_VEHICLES = 300  # seed_demo in tests: a small network, fast
ALLOWED_HOSTS = ["*"]
# A fake app that plugs into the registry like a new domain app (tests/fake_app); its tables exist only in tests.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.fake_app"]  # noqa: F405
