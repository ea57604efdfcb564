"""Replypad settings, read from the environment with defaults that give `make run`.

Defaults: SQLite, Celery's file-system broker, a file-based cache and an outbox
directory for outgoing mail. DATABASE_URL, REDIS_URL and ANYMAIL_* switch to real
services.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from replypad.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REPLYPAD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("REPLYPAD_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into VAR_DIR."""
    key = env_secret("SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "anymail",
    "inbox",
    "templates_app",
    "notes",
    "scheduler",
    "empathy",
    "review",
    "insights",
    "frontend",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "inbox.webhook_guard.WebhookGuardMiddleware",
]

ROOT_URLCONF = "replypad.urls"
WSGI_APPLICATION = "replypad.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": [
                "template_partials.templatetags.partials",
                "frontend.templatetags.replypad",
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'replypad.sqlite3'}")
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL: {exc}"
        ) from None
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, not {REDIS_URL!r}")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("REPLYPAD_CACHE_PREFIX", "replypad"),
        }
    }
else:
    # Shared by the web and worker processes of `make run`, unlike locmem.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Every password check is throttled (replypad/throttle.py): after this many
# failures an account (five times as many for a client address) is locked
# for the lockout window, right password or not.
AUTHENTICATION_BACKENDS = ["replypad.throttle.ThrottledModelBackend"]
REPLYPAD_LOGIN_MAX_FAILURES = env_int("REPLYPAD_LOGIN_MAX_FAILURES", 10, minimum=1)
REPLYPAD_LOGIN_LOCKOUT_SECONDS = env_int(
    "REPLYPAD_LOGIN_LOCKOUT_SECONDS", 900, minimum=1
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:inbox"
LOGOUT_REDIRECT_URL = "frontend:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("vendor", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic`; plain names serve straight from the apps.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("REPLYPAD_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("REPLYPAD_STATIC_FINDERS", DEBUG)
MEDIA_ROOT = Path(env_str("REPLYPAD_MEDIA_DIR", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("REPLYPAD_MAX_UPLOAD_BYTES", 30 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Celery --------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    _broker_dir = VAR_DIR / "broker"
    # The file-system transport needs its folders before the first publish.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

# --- Email ---------------------------------------------------------------
# Every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g.
# ANYMAIL_MAILGUN_API_KEY or ANYMAIL_WEBHOOK_SECRET ("user:password").
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and not key.endswith("_FILE")
}
# Webhooks are refused without a secret; `make run` generates one into VAR_DIR
# (`manage.py webhook_secret`), which is used only when none is set.
WEBHOOK_SECRET_FILE = VAR_DIR / "webhook_secret"
ANYMAIL["WEBHOOK_SECRET"] = env_secret("ANYMAIL_WEBHOOK_SECRET") or (
    WEBHOOK_SECRET_FILE.read_text().strip() if WEBHOOK_SECRET_FILE.exists() else ""
)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "replypad.outbox.OutboxEmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "replypad@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REPLYPAD_OUTBOX_DIR = Path(env_str("REPLYPAD_OUTBOX_DIR", str(VAR_DIR / "outbox")))
# Signed ESP webhooks older than this are refused, and a signature is
# remembered for twice as long so it cannot be replayed.
REPLYPAD_WEBHOOK_MAX_AGE_SECONDS = env_int(
    "REPLYPAD_WEBHOOK_MAX_AGE_SECONDS", 300, minimum=1
)
REPLYPAD_UNDO_SECONDS = env_int("REPLYPAD_UNDO_SECONDS", 10)
# Outbound (inbox.outbound): attempts before a transient ESP error becomes
# "failed", and at most one auto-reply per customer and mailbox in this window.
# A worker's claim on a message it is sending; past it, the dispatcher
# assumes the worker died and sends again. Longer than any ESP call.
REPLYPAD_SEND_LEASE_SECONDS = env_int("REPLYPAD_SEND_LEASE_SECONDS", 300, minimum=1)
REPLYPAD_SEND_MAX_ATTEMPTS = env_int("REPLYPAD_SEND_MAX_ATTEMPTS", 6, minimum=1)
REPLYPAD_AUTO_REPLY_INTERVAL_HOURS = env_int("REPLYPAD_AUTO_REPLY_INTERVAL_HOURS", 24)
# A storm of forged senders must not turn a mailbox into a spam cannon.
REPLYPAD_AUTO_REPLY_MAILBOX_HOURLY_CAP = env_int(
    "REPLYPAD_AUTO_REPLY_MAILBOX_HOURLY_CAP", 60, minimum=1
)
REPLYPAD_MAX_MESSAGE_BYTES = env_int("REPLYPAD_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)
REPLYPAD_INBOUND_MAX_ATTACHMENTS = env_int("REPLYPAD_INBOUND_MAX_ATTACHMENTS", 50)
REPLYPAD_INBOUND_MAX_DEPTH = env_int("REPLYPAD_INBOUND_MAX_DEPTH", 10)
REPLYPAD_BASE_URL = env_str("REPLYPAD_BASE_URL", "http://127.0.0.1:8000")
REPLYPAD_BENCH_DIR = Path(
    env_str("REPLYPAD_BENCH_DIR", str(BASE_DIR / "bench-results"))
)

# --- REST API ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so anonymous requests get 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "replypad.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Replypad API",
    "DESCRIPTION": "Shared inbox for support teams.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, so clients see the same enum wherever it appears.
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "inbox.models.Conversation.Status",
        "StatusAfterSendEnum": ["open", "pending", "resolved"],
        "NotificationVerbEnum": "notes.models.Notification.Verb",
        "DraftStateEnum": "review.models.Draft.State",
        "PresenceStateEnum": ["viewing", "replying"],
        "ScheduledEmailKindEnum": "scheduler.models.ScheduledEmail.Kind",
        "ScheduledEmailStatusEnum": "scheduler.models.ScheduledEmail.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
