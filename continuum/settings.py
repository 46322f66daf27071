"""Continuum settings: every deploy-time value comes from the environment.

Defaults suit the embedded development stack (`make run`); production sets DEBUG=false
and must then provide SECRET_KEY, ALLOWED_HOSTS and the service URLs, or start-up fails.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """Like env.bool, but a value that is neither true nor false is an error, not False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


DEBUG = env_bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:{}".format(env.int("PORT", default=8000)))

INSTALLED_APPS = [
    # The Django admin, behind the web login's lock-out and second factor.
    "continuum.accounts.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # SVG icons for the staff components (templates/components/icon.html)
    "heroicons",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "continuum.accounts",
    "continuum.tenancy",
    "continuum.audit",
    "continuum.people",
    "continuum.care",
    "continuum.consent",
    "continuum.notifications",
    "continuum.messaging",
    "interventions",
    "coaching",
    "casemanagement",
    "referrals",
    "outcomes",
    "alumni",
    "continuum.fhir",
    "continuum.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "continuum.logging.RequestIdMiddleware",
    # Early, so that its process_exception runs last and sees database errors unhandled.
    "continuum.operations.errors.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading the user with their membership under an organization's address.
    "continuum.tenancy.middleware.TenantAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL byte in a query or form value: 400 naming the fields, before any view.
    "continuum.input.RejectNulBytesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Outside the tenant middleware, so it also records the refusals made at the door
    # (another organization's member, a role from the wrong area).
    "continuum.audit.middleware.RefusedAccessMiddleware",
    "continuum.accounts.idle.IdleTimeoutMiddleware",
    "continuum.tenancy.middleware.TenantMiddleware",
]

ROOT_URLCONF = "continuum.urls"
WSGI_APPLICATION = "continuum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "continuum.tenancy.context_processors.tenancy",
            ],
        },
    },
]

# Database: one PostgreSQL for everything. Never SQLite, not even in tests.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/continuum")
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
# Sets the row-level-security organization of each connection (continuum.tenancy.rls).
DATABASES["default"]["ENGINE"] = "continuum.tenancy.db"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A stopped or frozen server fails a request in seconds instead of hanging it.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
)
# Behind PgBouncer in transaction pooling a cursor cannot outlive its transaction's
# server connection (docs/scaling.md).
DB_TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", default=False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=DB_TRANSACTION_POOLING
)
# Row-level security settings scoped to each transaction (continuum.tenancy.db).
DATABASES["default"]["RLS_TRANSACTION_SCOPED"] = DB_TRANSACTION_POOLING
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default=None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _redis_db(url: str, offset: int) -> str:
    """The same server on a neighbouring database number, so cache flushes never touch
    the broker's queues."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + offset) % 16}"))


REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured("REDIS_URL must be a redis:// or rediss:// URL.")
CACHE_URL = env.str("CACHE_URL", default=_redis_db(REDIS_URL, 1))

CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="continuum")
# A frozen cache costs a request half a second, not a gunicorn timeout.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)


def _cache(backend: str) -> dict:
    return {
        "BACKEND": backend,
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "socket_timeout": CACHE_SOCKET_TIMEOUT,
            "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
        },
    }


CACHES = {
    "default": _cache("django.core.cache.backends.redis.RedisCache"),
    # Rate limits: the cache, and the database while the cache is unreachable.
    "ratelimit": _cache("continuum.operations.ratelimit_cache.FallbackRateLimitCache"),
}
RATELIMIT_USE_CACHE = "ratelimit"
# Who may scrape /metrics (platform-wide totals, no organization named): whoever holds
# this token. Unset, /metrics is off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail only, verified addresses, login by e-mailed code, TOTP MFA.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# A login code dies after three wrong tries; requests for codes are limited per address.
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Continuum] "
# Self sign-up is closed: staff arrive by invitation, families through an intake.
ACCOUNT_ADAPTER = "continuum.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "continuum.accounts.forms.LoginForm"}
# Failed logins: per IP, and per address over LOGIN_FAILED_WINDOW seconds (web and API).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,{}/{}s/key".format(
        env.int("LOGIN_FAILED_LIMIT", default=5), env.int("LOGIN_FAILED_WINDOW", default=300)
    ),
    "request_login_code": "20/m/ip,3/m/key",
}
# Automatic logoff outside an organization's pages (each organization sets its own).
STAFF_IDLE_TIMEOUT_DEFAULT = env.int("STAFF_IDLE_TIMEOUT_DEFAULT", default=15)
# Emergency (break-glass) access attempts per staff member.
BREAK_GLASS_RATE = env.str("BREAK_GLASS_RATE", default="5/h")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery seeds are stored encrypted with FIELD_ENCRYPTION_KEYS.
MFA_ADAPTER = "continuum.accounts.adapter.MFAAdapter"
# An organization sets its own API token lifetime; this applies to users of none.
API_TOKEN_DAYS_DEFAULT = env.int("API_TOKEN_DAYS_DEFAULT", default=30)
MFA_TOTP_ISSUER = "Continuum"

REST_FRAMEWORK = {
    # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "continuum.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "continuum.tenancy.permissions.IsOrganizationMember",
    ],
    "DEFAULT_PAGINATION_CLASS": "continuum.paging.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Continuum API",
    "DESCRIPTION": "Interventions, sober coaching, case management and referrals around residential treatment.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1/[^/]+",
    # Assessments appear in three components (read, recorded, input): name the model's
    # choice set so the other keeps its component-prefixed name.
    "ENUM_NAME_OVERRIDES": {"InstrumentEnum": "casemanagement.instruments.INSTRUMENT_CHOICES"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "continuum.api_schema.blank_emails_hook",
    ],
}

# Celery: the database is the source of truth; messages only move work along.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Short socket timeouts: a frozen broker fails a publish in seconds, and the publishing
# code (continuum.operations.broker) leaves the work to the sweeps.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("BROKER_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_timeout": env.float("BROKER_TIMEOUT", default=2.0),
    "socket_connect_timeout": env.float("BROKER_TIMEOUT", default=2.0),
    "max_retries": 1,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["referrals.scan_stale"] = {"task": "referrals.scan_stale", "schedule": 3600.0}
# Every 30 s, taking runs pending for 30 s: work whose message was lost starts within a minute.
CELERY_BEAT_SCHEDULE["care.handoff_sweep"] = {"task": "care.handoff_sweep", "schedule": 30.0}
# Safety events: the urgent queue has a worker slot of its own (docs/operations.md).
CELERY_BEAT_SCHEDULE["care.safety_escalations"] = {
    "task": "care.safety_escalations",
    "schedule": 60.0,
    "options": {"queue": "urgent"},
}
CELERY_BEAT_SCHEDULE["notifications.deliver_urgent_due"] = {
    "task": "notifications.deliver_due",
    "schedule": 30.0,
    "kwargs": {"urgent_only": True},
    "options": {"queue": "urgent"},
}
CELERY_BEAT_SCHEDULE["interventions.overdue_sweep"] = {
    "task": "interventions.overdue_sweep",
    "schedule": 600.0,
}
CELERY_BEAT_SCHEDULE["notifications.deliver_due"] = {
    "task": "notifications.deliver_due",
    "schedule": 30.0,
}
CELERY_BEAT_SCHEDULE["coaching.alerts_scan"] = {"task": "coaching.alerts_scan", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["coaching.certifications_scan"] = {
    "task": "coaching.certifications_scan",
    "schedule": 86400.0,
}
CELERY_BEAT_SCHEDULE["casemanagement.scan"] = {"task": "casemanagement.scan", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["casemanagement.questionnaire_reminders"] = {
    "task": "casemanagement.questionnaire_reminders",
    "schedule": 3600.0,
}
# Daily is what the schedule needs; hourly keeps a message due this morning from waiting a day.
CELERY_BEAT_SCHEDULE["outcomes.scan"] = {"task": "outcomes.scan", "schedule": 3600.0}
# Daily work (anniversaries, event reminders, the monthly check-in); hourly so a day's
# messages go out that morning wherever the organization is.
CELERY_BEAT_SCHEDULE["alumni.scan"] = {"task": "alumni.scan", "schedule": 3600.0}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Continuum <no-reply@continuum.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages go through a pluggable backend; the console one prints them.
SMS_BACKEND = env.str("SMS_BACKEND", default="continuum.notifications.sms.ConsoleBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / ".data" / "sms")
# Outbox delivery: a claimed row is reclaimable after the lease; retries back off.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=300)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=50)
NOTIFICATION_BACKOFF_SECONDS = env.int("NOTIFICATION_BACKOFF_SECONDS", default=60)

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
# One date format everywhere: templates write `|date` or `|date:"DATETIME_FORMAT"`.
FORMAT_MODULE_PATH = ["continuum.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
WHITENOISE_USE_FINDERS = DEBUG

# Security: production values come from DEBUG=false; each may be overridden.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
X_FRAME_OPTIONS = "DENY"

# Encryption at rest of the most sensitive free text (continuum/fields.py): comma-separated
# Fernet keys, the first encrypts and all decrypt (rotation: docs/security.md). Development
# derives one from SECRET_KEY; production must provide its own.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set in production "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(f"continuum-field-encryption:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]
# Content-Security-Policy: scripts only from our own origin, never inline (every script is
# a static file). Inline styles stay allowed: the admin, the API docs and htmx's request
# indicator use them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

DEFAULT_EXCEPTION_REPORTER = "continuum.operations.errors.ExceptionReporter"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL {LOG_LEVEL!r} is not a logging level.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "continuum.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}
