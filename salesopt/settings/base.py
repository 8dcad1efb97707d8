"""Settings shared by every environment, read from environment variables.

Zero setup: with no variables set, salesopt runs on a SQLite file in the project folder and
runs Celery tasks in process. DATABASE_URL and REDIS_URL switch to real servers.
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# On by default so a laptop runs with zero setup; production.py forces it off.
DEBUG = env.bool("DEBUG", default=True)

# A development key only while DEBUG is on; production.py refuses to start without a real one.
_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-salesopt-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "axes",
    "csp",
    # Serves Swagger UI from its own static files (without it in INSTALLED_APPS, from a CDN).
    "ninja",
    "simple_history",
    "salesopt.core",
    "salesopt.imports",
    "salesopt.kpis",
    "salesopt.leads",
    "diagnosis",
    "planning",
    "execution",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Below WhiteNoise, so static files stay cacheable; every other response is company data.
    "salesopt.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "salesopt.core.middleware.CompanyTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before LoginRequiredMiddleware, which then sends a timed-out user to the login page.
    "salesopt.core.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "salesopt.core.middleware.HtmxLoginRedirectMiddleware",
    # Last: it turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesopt.urls"
WSGI_APPLICATION = "salesopt.wsgi.application"

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
                "salesopt.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Zero setup runs a web server and a worker on one SQLite file: in WAL mode readers never
    # wait for a writer, and a writer waits up to 30 s for another instead of failing at once.
    # IMMEDIATE: a transaction takes the write lock when it begins, so one that read first and
    # then writes waits its turn; a deferred one failed at once ("database is locked") when the
    # worker's scheduler wrote at start-up while a queued import ran.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT once spent minutes compiling a large batched UPDATE; our queries are planned, not JIT'd.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview:home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: the browser's language by default, a switcher to change it.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js comes from the plotly wheel, so the browser never needs a CDN.
    "salesopt.core.staticfiles.PlotlyJsFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
# A session ends after SALESOPT_SESSION_IDLE_HOURS without a request, and in any case
# SALESOPT_SESSION_MAX_HOURS after the login (salesopt.core.middleware.SessionTimeoutMiddleware).
SALESOPT_SESSION_IDLE_HOURS = env.float("SALESOPT_SESSION_IDLE_HOURS", default=8)
SALESOPT_SESSION_MAX_HOURS = env.float("SALESOPT_SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = int(SALESOPT_SESSION_MAX_HOURS * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: scripts only from our own static files (no inline script, no eval:
# charts are drawn by static/js/charts.js from JSON data blocks). Styles allow inline because
# plotly.js writes its own <style> rules and style attributes while drawing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): SALESOPT_LOGIN_FAILURE_LIMIT wrong passwords in a row for one
# username, or from one address, lock that username or address for
# SALESOPT_LOGIN_LOCKOUT_MINUTES whatever the password; a successful login restarts both counts
# (so colleagues behind one office address are not locked by one person's typos). Every attempt
# is logged: successes in axes' AccessLog, failures in its AccessFailureLog (admin site).
AXES_FAILURE_LIMIT = env.int("SALESOPT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("SALESOPT_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "salesopt.core.views.locked_out"
# Behind N reverse proxies (a TLS terminator), the client's address is the N-th from the right
# of X-Forwarded-For; without proxies it is the connection's own. The default trusts no header.
SALESOPT_PROXY_COUNT = env.int("SALESOPT_PROXY_COUNT", default=0)
# Table 2: a finished month below this share of its target needs a variance analysis and a
# corrective action.
SALESOPT_ATTAINMENT_THRESHOLD = env.float("SALESOPT_ATTAINMENT_THRESHOLD", default=0.95)
# An edited export of an execution table brought back (execution.sheet_imports): these tables
# have hundreds of rows, so a file far larger is not one of their exports.
SALESOPT_EXECUTION_IMPORT_MAX_BYTES = env.int(
    "SALESOPT_EXECUTION_IMPORT_MAX_BYTES", default=10 * 1024 * 1024
)
SALESOPT_EXECUTION_IMPORT_MAX_ROWS = env.int("SALESOPT_EXECUTION_IMPORT_MAX_ROWS", default=20_000)
# New-rep coaching: a rep is new for this many days after their hire date, and the team lead's
# list shows the follow-up records due in the last this many days.
SALESOPT_NEW_REP_DAYS = env.int("SALESOPT_NEW_REP_DAYS", default=90)
SALESOPT_COACHING_LOOKBACK_DAYS = env.int("SALESOPT_COACHING_LOOKBACK_DAYS", default=14)
AXES_IPWARE_PROXY_COUNT = SALESOPT_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if SALESOPT_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_USERNAME_FORM_FIELD = "username"

# --- Celery -------------------------------------------------------------------------------
# REDIS_URL set: a real broker, result backend and cache. Unset (zero setup), two ways:
# - SALESOPT_LOCAL_WORKER on (what `make run` does): tasks go through a queue in a local folder
#   (kombu's filesystem transport) to a worker process `make run` starts beside the web server,
#   so an import and the KPI recompute after it never hold a request; progress and sessions
#   live in a file cache both processes share.
# - off: tasks run eagerly inside the process that asks for them (tests, one-off commands).
REDIS_URL = env.str("REDIS_URL", default="")
SALESOPT_LOCAL_WORKER = not REDIS_URL and env.bool("SALESOPT_LOCAL_WORKER", default=False)
SALESOPT_LOCAL_STATE_DIR = env.path("SALESOPT_LOCAL_STATE_DIR", default=BASE_DIR / ".local-state")
# The longest task (a million-row import) must finish well inside the visibility timeout, or
# Redis hands the same task to a second worker while the first still runs it.
SALESOPT_LONGEST_TASK_SECONDS = env.int("SALESOPT_LONGEST_TASK_SECONDS", default=3600)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and not SALESOPT_LOCAL_WORKER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or ("filesystem://" if SALESOPT_LOCAL_WORKER else "memory://")
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Nothing reads a task's result back but the tests' own worker (with Redis).
CELERY_TASK_IGNORE_RESULT = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = SALESOPT_LONGEST_TASK_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = SALESOPT_LONGEST_TASK_SECONDS - 60
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A hung Redis must not hang a web request: every socket gives up after a few seconds and a
# publish retries only briefly.
_REDIS_SOCKET_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": SALESOPT_LONGEST_TASK_SECONDS * 2,
    **_REDIS_SOCKET_OPTIONS,
}
if SALESOPT_LOCAL_WORKER:
    _QUEUE_DIR = Path(SALESOPT_LOCAL_STATE_DIR) / "queue"
    for _folder in ("messages", "control", "processed"):
        (_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_QUEUE_DIR / "messages"),
        "data_folder_out": str(_QUEUE_DIR / "messages"),
        "control_folder": str(_QUEUE_DIR / "control"),
        "processed_folder": str(_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
# The result backend retries a lost connection 20 times by default, and a publish subscribes to
# its result first: against a hung Redis a publish took over two minutes. Fail at once instead.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    **_REDIS_SOCKET_OPTIONS,
    "retry_policy": {"max_retries": 0},
}
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 5
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
SALESOPT_KPI_RECOMPUTE_MONTHS = env.int("SALESOPT_KPI_RECOMPUTE_MONTHS", default=18)
CELERY_BEAT_SCHEDULE = {
    # Every night at 03:30 company time (19:30 UTC): recompute every KPI of the last
    # SALESOPT_KPI_RECOMPUTE_MONTHS months, so overdue unanswered leads and the current month's
    # working days catch up with the clock.
    "recompute-kpis-nightly": {
        "task": "salesopt.kpis.tasks.recompute_kpis_task",
        "schedule": crontab(hour=19, minute=30),
    },
    # Every five minutes: remind owners of leads nearing their deadline, tell owners and team
    # leads of missed ones, reassign per the assignment policy (salesopt.leads.reminders).
    "remind-lead-deadlines": {
        "task": "salesopt.leads.tasks.remind_task",
        "schedule": 5 * 60,
    },
    # Every night at 03:10 (company time is irrelevant here): drop expired login sessions so the
    # session table does not grow without bound.
    "purge-expired-sessions-nightly": {
        "task": "salesopt.core.tasks.purge_expired_sessions_task",
        "schedule": 60 * 60 * 24,
    },
}

# Deadlines missed within these days are notified (and may be reassigned); older misses are in
# the breach list already, and a first run on years of history must not mail thousands.
SALESOPT_NOTIFY_MISSED_WITHIN_DAYS = env.int("SALESOPT_NOTIFY_MISSED_WITHIN_DAYS", default=3)
# A deal milestone's file deliverable is refused above this size (planning.milestone_services).
SALESOPT_MILESTONE_FILE_MAX_BYTES = env.int(
    "SALESOPT_MILESTONE_FILE_MAX_BYTES", default=10 * 1024 * 1024
)

# E-mail: printed to the console unless EMAIL_URL names a server, e.g.
# smtp+tls://user:password@smtp.example.com:587 (see README, "E-mail").
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, …
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="salesopt <salesopt@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Import progress is written to the cache (outside the import's transaction) and read by the
# polling page: it must be shared by the worker and the web processes, hence Redis when set.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "salesopt",
            "OPTIONS": {"socket_timeout": 5, "socket_connect_timeout": 5},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(Path(SALESOPT_LOCAL_STATE_DIR) / "cache"),
        }
        if SALESOPT_LOCAL_WORKER
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if SALESOPT_LOCAL_WORKER:
    # The worker holds SQLite's write lock while it imports: sessions must not need it, or a
    # page asking for progress would wait for the import to end.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_on_one_line": {"()": "salesopt.core.logging.RefusalsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_on_one_line"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own records go to our console once (its default config adds a second
        # console handler under DEBUG, so each refusal printed twice).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Login attempts are audited by axes (its loggers and tables); its start-up banner,
        # printed by every manage.py command, is not.
        "axes.apps": {"level": "WARNING"},
    },
}

# --- salesopt -----------------------------------------------------------------------------
# The zone of the company: naive times in its CRM exports are read in it, and "this quarter"
# on the dashboard is its quarter.
SALESOPT_COMPANY_TIME_ZONE = env.str("SALESOPT_COMPANY_TIME_ZONE", default="Asia/Shanghai")
SALESOPT_CURRENCY_SYMBOL = env.str("SALESOPT_CURRENCY_SYMBOL", default="¥")
# CRM imports: uploaded files are untrusted, so every size is capped.
SALESOPT_IMPORT_MAX_BYTES = env.int("SALESOPT_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
SALESOPT_IMPORT_MAX_COLUMNS = env.int("SALESOPT_IMPORT_MAX_COLUMNS", default=500)
SALESOPT_IMPORT_MAX_ROWS = env.int("SALESOPT_IMPORT_MAX_ROWS", default=5_000_000)
# How many errors the preview, the command's JSON and the stored sample keep (the downloadable
# report keeps them all).
SALESOPT_IMPORT_ERROR_SAMPLE = 20
# A creation or order date later than the upload by more than this is a row error (a typo, or
# a date Excel read the wrong way round); the margin covers clocks and time zones.
SALESOPT_IMPORT_FUTURE_TOLERANCE_HOURS = env.int(
    "SALESOPT_IMPORT_FUTURE_TOLERANCE_HOURS", default=24
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Response deadline per lead grade, in hours (SPEC: A within 2 h, B within 24 h, C 72 h).
SALESOPT_GRADE_SLA_HOURS = {"A": 2, "B": 24, "C": 72}

# Findings from data (diagnosis/rules.py): a rule proposes a finding when the baseline crosses
# its threshold. Rates are fractions 0…1.
SALESOPT_FINDING_SLA_BREACH_RATE = 0.3  # a region's graded leads answered after the deadline
SALESOPT_FINDING_CONVERSION_GAP = 0.25  # region × product line converts 25% below the company
SALESOPT_FINDING_MIN_SEGMENT_LEADS = 30  # fewer leads than this is noise, not a segment
SALESOPT_FINDING_SALES_CYCLE_DAYS = 60  # median days from lead to win, per lead grade
SALESOPT_FINDING_TOP_REP_SHARE = 0.4  # the busiest 20% of reps carry this share of activities
SALESOPT_FINDING_RAMP_UP_DAYS = 45  # median days from hire to a new rep's first win
SALESOPT_FINDING_ATTAINMENT = 0.9  # a region or product line below 90% of its target
SALESOPT_FINDING_SATISFACTION = 3.0  # a region's complaints scoring below this (1–5)
SALESOPT_FINDING_REPURCHASE_RATE = 0.1  # customers ordering twice in a month, company-wide
