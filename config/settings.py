"""Lodestar settings: one module, driven by the environment.

DJANGO_ENV=production switches on the production hardening; everything else has a
default that lets a newcomer run `make run` on a fresh machine with no services.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LODESTAR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
PRODUCTION = DJANGO_ENV == "production"

_INSECURE_KEY = "django-insecure-lodestar-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when "
        "DJANGO_ENV=production (for example: python -c 'import secrets; "
        "print(secrets.token_urlsafe(64))')."
    )
SECRET_KEY = SECRET_KEY or _INSECURE_KEY

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "people",
    "programs",
    "assessments",
    "feedback360",
    "coaching",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "people.middleware.ReaderTimeZoneMiddleware",
    # Axes last, as its docs ask, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "people.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lodestar.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while the web process reads; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue on the busy timeout instead of one
        # failing halfway with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a worker process started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_lodestar.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
# Throttling and login lock-outs must be shared by every web process, so production
# points CACHE_URL at Redis; the embedded default keeps them in process memory.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations reuse the reset link
# A reset link for a login that already has a password (people.credentials).
LODESTAR_PASSWORD_RESET_LINK_TIMEOUT = 60 * 60 * 2
# Reset emails per address and per client address within the window (people.credentials).
LODESTAR_PASSWORD_RESET_PER_EMAIL = int(os.environ.get("LODESTAR_PASSWORD_RESET_PER_EMAIL", "3"))
LODESTAR_PASSWORD_RESET_PER_IP = int(os.environ.get("LODESTAR_PASSWORD_RESET_PER_IP", "10"))
LODESTAR_PASSWORD_RESET_WINDOW = 60 * 60
# Proxies in front of Lodestar that append to X-Forwarded-For. Behind a proxy every
# request's REMOTE_ADDR is the proxy, and lock-outs per address would lock out everyone.
LODESTAR_TRUSTED_PROXY_COUNT = int(os.environ.get("LODESTAR_TRUSTED_PROXY_COUNT", "0"))

# Sign-in lock-out: an email locks after AXES_FAILURE_LIMIT failures from anywhere; a
# client address after LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT failures for any emails.
# Either, not only the pair: people.credentials.LoginLockoutHandler counts them apart.
AXES_HANDLER = "people.credentials.LoginLockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("LODESTAR_LOGIN_ADDRESS_FAILURE_LIMIT", "20")
)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out login opens again after 15 minutes
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "people.credentials.login_username"
AXES_CLIENT_IP_CALLABLE = "people.credentials.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- I18N / time ------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Email ------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Lodestar <lodestar@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
# Where mail really goes: SMTP when a host is configured, else the console.
LODESTAR_DELIVERY_EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# With DEBUG on, every message is also kept for the staff-only dev mailbox page, so a
# newcomer can follow reset and invitation links. Production stores no email body.
EMAIL_BACKEND = "people.mail.DevMailboxBackend" if DEBUG else LODESTAR_DELIVERY_EMAIL_BACKEND

# --- Celery -----------------------------------------------------------------
# The embedded default uses kombu's filesystem transport: `make run` starts a real
# worker and beat with no Redis. Production sets CELERY_BROKER_URL=redis://...
CELERY_FILESYSTEM_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (CELERY_FILESYSTEM_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "in"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "in"),
        "data_folder_processed": str(CELERY_FILESYSTEM_DIR / "processed"),
        # Exchange tables too; kombu's default is a "control" folder in the working directory.
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
# Job state lives in database rows (people.Job), so no result backend is needed.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-jobs": {
        "task": "people.tasks.sweep_stale_jobs",
        "schedule": 60.0,
    },
    "send-due-reminders": {
        "task": "programs.tasks.send_due_reminders",
        "schedule": 60.0 * 15,
    },
    "sweep-mail": {
        "task": "people.tasks.sweep_mail",
        "schedule": 60.0,
    },
    "sweep-events": {
        "task": "people.tasks.sweep_events",
        "schedule": 60.0,
    },
    "feedback360-advance-cycles": {
        "task": "feedback360.tasks_cycles.advance_cycles",
        "schedule": 60.0 * 15,
    },
    "send-due-rater-reminders": {
        "task": "feedback360.tasks.send_due_rater_reminders",
        "schedule": 60.0 * 60,
    },
    "deactivate-terminated-logins": {
        "task": "people.tasks.deactivate_terminated_logins",
        "schedule": 60.0 * 60,
    },
}
# A running job that has not written a heartbeat for this long is presumed dead.
LODESTAR_JOB_STALE_AFTER_SECONDS = int(os.environ.get("LODESTAR_JOB_STALE_AFTER_SECONDS", "300"))
LODESTAR_JOB_MAX_ATTEMPTS = 3

# --- REST framework ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "people.api.authentication.ApiTokenAuthentication",
        "people.api.authentication.OrgSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["people.api.permissions.HasOrgPermission"],
    "DEFAULT_PARSER_CLASSES": [
        "people.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "people.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "people.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["people.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_THROTTLE_RATE", "1000/hour")},
    "NUM_PROXIES": LODESTAR_TRUSTED_PROXY_COUNT or None,  # anonymous budgets per client
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "people.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # ASCII JSON: a lone surrogate that slips into an answer can always be encoded.
    "UNICODE_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lodestar API",
    "DESCRIPTION": (
        "Leadership development for IT organisations. Authenticate with the browser "
        "session or a personal API token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "people.models.Role",
        "TerminationReasonEnum": "people.models.TerminationReason",
    },
    # Tag operations by resource (employees, teams...) rather than all as "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
LODESTAR_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
LODESTAR_CSP_API_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Load-balancer health checks come over plain HTTP from inside the network.

# --- Lodestar ---------------------------------------------------------------
# Self and manager scores this far apart (on the 1-5 scale) are called out as a blind spot.
LODESTAR_BLIND_SPOT_MARGIN = float(os.environ.get("LODESTAR_BLIND_SPOT_MARGIN", "1.0"))
if not 0 < LODESTAR_BLIND_SPOT_MARGIN <= 4:  # also false for NaN
    raise ImproperlyConfigured("LODESTAR_BLIND_SPOT_MARGIN must be a number above 0 and at most 4.")
LODESTAR_IMPORT_MAX_BYTES = int(os.environ.get("LODESTAR_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
LODESTAR_IMPORT_MAX_ROWS = int(os.environ.get("LODESTAR_IMPORT_MAX_ROWS", "20000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = LODESTAR_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = LODESTAR_IMPORT_MAX_BYTES + 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # On the handler, so records from every logger (django.request, django.server,
    # django.security.csrf, celery) pass through it.
    "filters": {"mask_rater_links": {"()": "config.logging.MaskRaterLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_rater_links"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # runserver's request lines: through the masked console, not Django's own handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Absolute links in emails (invitations, password resets) start with this.
LODESTAR_BASE_URL = os.environ.get("LODESTAR_BASE_URL", "http://127.0.0.1:8000")
