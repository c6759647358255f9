"""Settings shared by every environment, read from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def celery_broker_url(redis_url: str) -> str:
    """Translate a redis-py URL into kombu's spelling (kombu names unix sockets differently)."""
    parsed = urlparse(redis_url)
    if parsed.scheme == "unix":
        db = parse_qs(parsed.query).get("db", ["0"])[0]
        return f"redis+socket://{parsed.path}?virtual_host={db}"
    return redis_url


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "crm_site",
    "crm_site.imports",
    "dealers",
    "customers",
    "vehicles",
    "retention",
    "callcenter",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "crm_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crm_site.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor: django-otp marks a session verified once a code passed; until then the gate holds it.
    "django_otp.middleware.OTPMiddleware",
    "dealers.middleware.SecondFactorGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm_site.history.HistoryContextMiddleware",
    # After locale and authentication: its 400 page is in the user's language, with the menu.
    "crm_site.middleware.QueryStringLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]
# A refused CSRF check shows a page in the user's language that offers to send the typed form again (JSON under /api/).
CSRF_FAILURE_VIEW = "crm_site.api.errors.csrf_failure"

ROOT_URLCONF = "crm_site.urls"
WSGI_APPLICATION = "crm_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm_site.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A health check is one more round trip on every request; turn it on where connections go stale (a proxy).
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Row-level security backstop: requests and scoped tasks run as this role once their tenant is known ('' = off).
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "crm_app")

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "crm",
    }
}

AUTH_USER_MODEL = "dealers.User"
# Extension points the organisation app provides to the core (the core imports no app).
CRM_SCOPE_RESOLVER = "dealers.principals.resolve_scope"
CRM_TENANT_MODEL = "dealers.Tenant"
CRM_DEALER_MODEL = "dealers.Dealer"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Login protection (crm_site/login_guard.py): django-axes locks an account (not an address: a call center logs in
# from one) after repeated failures; the lock lifts by itself; the counts live in Redis.
# The staff backend is Django's, reading the role's personal-data grant along with the user (dealers/backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "dealers.backends.StaffBackend"]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCK_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Survey link page views per address per minute (a customer needs a handful).
SURVEY_LINK_RATE_PER_MINUTE = int(os.environ.get("SURVEY_LINK_RATE_PER_MINUTE", "60"))
# Failed logins from one address within 15 minutes before the address is refused (successes never count).
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "100"))
# A session ends this long after logging in (a working day), whatever is done with it.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_SECONDS", str(10 * 3600)))
# Axes would also lock an address; that must not happen to a call center behind one address: the address has its
# own, higher failure limit in crm_site/login_guard.py, counted on failures only.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Second factor (dealers/second_factor.py): wrong codes per user within 15 minutes before the code is refused for
# the rest of them; this limit replaces django-otp's growing delays, which refuse even a right code with no reason.
SECOND_FACTOR_FAILURE_LIMIT = int(os.environ.get("SECOND_FACTOR_FAILURE_LIMIT", "5"))
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Dealer CRM")
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, the one the pages write by hand: 2026-12-01 and 2026-12-01 09:30 (crm_site/formats).
FORMAT_MODULE_PATH = ["crm_site.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# A request body above this size is refused with 413 before anything reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dealers.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm_site.api.permissions.ScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "crm_site.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm_site.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "crm_site.api.throttling.PrincipalRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "principal": os.environ.get("API_RATE", "6000/min"),
        "auth": os.environ.get("API_AUTH_RATE", "20/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Dealer-network CRM API",
    "DESCRIPTION": (
        "REST API for dealer-side tools (DMS) and integrations. Send `Authorization: Bearer <token>`; "
        "every answer is limited to the caller's scope, and objects outside it answer 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: the product works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crm_site.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "dealers.choices.Role",
        "CustomerKindEnum": "customers.choices.CustomerKind",
        "FollowUpStatusEnum": "callcenter.choices.TaskStatus",
        "ComplaintLevelEnum": "callcenter.models.complaints.Level",
        "SurveyKindEnum": "surveys.choices.TemplateKind",
        "SurveyChannelEnum": "surveys.choices.Channel",
    },
}

# Limits of one uploaded import file.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", "10000000"))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "50000"))
# How long a user's API token lives.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
DEMO_VEHICLES = int(os.environ.get("DEMO_VEHICLES", "5000"))  # vehicles seed_demo generates on first start
CRM_MAX_QUERY_STRING = int(os.environ.get("CRM_MAX_QUERY_STRING", "2000"))  # longest query string accepted
# Key for personal data encrypted at rest (Fernet, urlsafe base64 of 32 bytes); derived from SECRET_KEY when unset.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work; each entry fans out per tenant, so every run carries an explicit scope.
CELERY_BEAT_SCHEDULE = {
    "purge-expired-tokens": {
        "task": "dealers.tasks.tokens_purge_expired_all_tenants",
        "schedule": crontab(hour=3, minute=15),
    },
    "flag-uncontacted-leads": {
        "task": "customers.tasks.leads_flag_uncontacted_all_tenants",
        "schedule": crontab(minute="*/15"),
    },
    # Early, before the call center opens: the day's lists are ready when the first agent logs in.
    "generate-followups": {
        "task": "callcenter.tasks.followups_generate_all_tenants",
        "schedule": crontab(hour=6, minute=0),
    },
    "sweep-followups": {
        "task": "callcenter.tasks.followups_sweep_all_tenants",
        "schedule": crontab(minute="*/5"),
    },
    # Night, after the snapshots: what the tenant keeps no longer (crm_site/purge.py).
    "purge-expired-data": {
        "task": "dealers.tasks.data_purge_all_tenants",
        "schedule": crontab(hour=3, minute=45),
    },
    # Yesterday, a complete day; on the 1st, last month's end again, so late repair orders count.
    "build-retention": {
        "task": "retention.tasks.retention_build_all_tenants",
        "schedule": crontab(hour=2, minute=30),
    },
    "build-retention-month-end": {
        "task": "retention.tasks.retention_month_end_all_tenants",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
    # After the follow-up lists: survey calls join today's queues.
    "generate-survey-invitations": {
        "task": "surveys.tasks.invitations_generate_all_tenants",
        "schedule": crontab(hour=6, minute=30),
    },
    "escalate-complaints": {
        "task": "callcenter.complaints.tasks.complaints_escalate_all_tenants",
        "schedule": crontab(minute="*/5"),
    },
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
