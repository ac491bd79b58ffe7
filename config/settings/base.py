"""Settings shared by every environment. Everything that differs comes from the environment."""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is optional and never committed.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-only-for-the-embedded-default")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])


def database_from_env(default: str) -> dict:
    """Parse DATABASE_URL, refusing a malformed one with a message that names it."""
    url = env.str("DATABASE_URL", default=default)
    try:
        with warnings.catch_warnings():  # our own message below says what is wrong
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except (ValueError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a valid database URL ({exc}). "
            "Examples: sqlite:///db.sqlite3, postgres://user:pass@127.0.0.1:5432/pdm"
        ) from None
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL is not a valid database URL: it names no engine or database. "
            "Examples: sqlite:///db.sqlite3, postgres://user:pass@127.0.0.1:5432/pdm"
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Concurrent web requests and inline jobs: wait for the write lock rather than fail.
        config.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_fsm",
    "import_export",
    "axes",
    "csp",
    "core",
    "organizations",
    "assets",
    "projects",
    "budgets",
    "reports",
]

MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",  # first: every later log line knows its request
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.input.RefuseNulMiddleware",  # after LocaleMiddleware: its 400 is in the user's language
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's stored language over the browser's (needs request.user).
    "organizations.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into organizations.security.lockout_response
]

# Content Security Policy (django-csp): scripts, styles, fonts and images from this site only; no
# inline script, no inline style attribute, no plugin, no framing. Every page keeps to it (the
# browser test tests/e2e/test_csp.py visits them all). The API docs page relaxes style-src only
# (Swagger UI writes its styles inline): config/urls.py.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login lockout (django-axes): 5 wrong passwords for one username from one address lock that pair
# for 15 minutes on the token endpoint, the login page and the admin login alike.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "organizations.security.lockout_response"
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

AUTH_USER_MODEL = "organizations.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese by default; English complete and one click away.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# PDM_LOCALE_PATHS lets the translation test extract into a scratch folder.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [Path(p) for p in env.list("PDM_LOCALE_PATHS", default=[str(BASE_DIR / "locale")])]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Private uploads: never served by a public URL, only through views that check access.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = None  # deliberately no public media URL
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pdm@localhost")

# Celery: unset broker = jobs run inline in the web process.
# The index snapshot new processes start from (projects/redundancy/snapshot.py); written by the
# workers every REDUNDANCY_SNAPSHOT_MINUTES. Empty: every process builds from the database.
REDUNDANCY_SNAPSHOT_PATH = env.str("REDUNDANCY_SNAPSHOT_PATH", default=str(BASE_DIR / "var" / "redundancy-index.snapshot"))
REDUNDANCY_SNAPSHOT_MINUTES = env.int("REDUNDANCY_SNAPSHOT_MINUTES", default=10)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="pdm")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Monday to Friday at 08:30: remind reviewers of overdue demands (at most once a day each).
    "remind-overdue-reviews": {
        "task": "projects.remind_overdue_reviews",
        "schedule": crontab(minute=30, hour=8, day_of_week="mon-fri"),
    },
    # Every day at 00:15: granted data-sharing authorizations past their end date expire.
    "expire-authorizations": {
        "task": "projects.expire_authorizations",
        "schedule": crontab(minute=15, hour=0),
    },
    # Every day at 08:40: remind experts of opinions due within two days (once per assignment).
    "remind-expert-deadlines": {
        "task": "projects.remind_expert_deadlines",
        "schedule": crontab(minute=40, hour=8),
    },
    # Every 30 minutes: coordination clusters of pending demands; prune the redundancy change feed.
    "redundancy-clusters": {
        "task": "projects.compute_redundancy_clusters",
        "schedule": crontab(minute="*/30"),
    },
    # The redundancy index snapshot that new web processes start from (projects/redundancy/snapshot.py).
    "redundancy-snapshot": {
        "task": "projects.write_redundancy_snapshot",
        "schedule": timedelta(minutes=REDUNDANCY_SNAPSHOT_MINUTES),
    },
    # Every 10 minutes: report jobs whose worker died are marked failed, never "running" forever.
    "reports-fail-stale": {"task": "reports.fail_stale_reports", "schedule": crontab(minute="*/10")},
    # Every night at 02:15: report files past their expiry are removed.
    "reports-remove-expired": {"task": "reports.remove_expired_reports", "schedule": crontab(minute=15, hour=2)},
    # The dashboard's counts counted again (reports/dashboard.py: the page shows their age).
    "reports-dashboard-snapshot": {"task": "reports.refresh_dashboard_snapshot",
                                   "schedule": timedelta(minutes=env.int("REPORT_DASHBOARD_REFRESH_MINUTES", default=5))},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    # JSON with a size and depth limit and strict text; forms and uploads as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "core.input.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"login": "30/minute"},  # the token endpoint, per address
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],  # malformed ids and text: 400, never 500
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Unified project demand management API",
    "DESCRIPTION": "Demands, reviews, projects, budgets and the catalogue of a provincial digital construction pipeline.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.document_error_responses",  # 400/401/403/404/409 on every operation
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Distinct schema names for choice sets that share a field name ("kind", "status").
    "ENUM_NAME_OVERRIDES": {
        "CandidateKindEnum": "projects.redundancy.choices.CandidateKind",
        "HardwareKindEnum": "assets.choices.HardwareKind",
        "ReportKindEnum": "reports.choices.ReportKind",
        "ReportJobStatusEnum": "reports.choices.JobStatus",
    },
}

# The largest file core.uploads.check_upload accepts unless an upload gives its own limit.
UPLOAD_MAX_BYTES = env.int("PDM_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"

# Domain settings.
EXPERT_REVIEW_THRESHOLD = env.int("EXPERT_REVIEW_THRESHOLD", default=5_000_000)
REVIEW_DUE_WORKING_DAYS = env.int("REVIEW_DUE_WORKING_DAYS", default=10)
# Redundancy candidates scoring at least this become flags a reviewer must resolve. The default is
# the engine's DEFAULT_FLAG_THRESHOLD (projects/redundancy/engine.py; a test keeps the two equal).
REDUNDANCY_FLAG_THRESHOLD = env.float("REDUNDANCY_FLAG_THRESHOLD", default=0.5)
# How often (seconds) a process reads the change feed of its redundancy index before a search.
REDUNDANCY_POLL_SECONDS = env.float("REDUNDANCY_POLL_SECONDS", default=2.0)

# Reports: how long a finished report's file is kept, after how long without a sign of life a job is
# failed, and the issuing authority printed on every report (default: the province's coordination authority).
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=7)
REPORT_JOB_TIMEOUT_MINUTES = env.int("REPORT_JOB_TIMEOUT_MINUTES", default=30)
# The dashboard page counts again itself when its snapshot is older than this (beat refreshes it sooner).
REPORT_DASHBOARD_MAX_AGE_SECONDS = env.int("REPORT_DASHBOARD_MAX_AGE_SECONDS", default=600)
REPORT_ISSUING_AUTHORITY = env.str("REPORT_ISSUING_AUTHORITY", default="")
# The issuing authority's short name before the year on an approval sheet's number (e.g. 吉数建审〔2026〕…).
REPORT_DOCUMENT_PREFIX = env.str("REPORT_DOCUMENT_PREFIX", default="吉数建审")

# Every line carries the request id (core/request_id.py); LOG_FORMAT=json (production's default)
# writes one JSON object per line (core/logformat.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
