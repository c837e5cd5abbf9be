"""Settings come from the environment; every default is the embedded, one-machine profile."""

from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """One random key per installation, kept under var/ so sessions and tokens survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "apps.approvals.admin_config.PlatformAdminConfig",  # the admin, open to deciding project members
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.projects",
    "apps.library",
    "apps.gemini",
    "apps.assets",
    "apps.generations",
    "apps.batches",
    "apps.refinements",
    "apps.approvals",
    "apps.webhooks",
    "apps.campaigns",
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
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database: SQLite in WAL mode by default, PostgreSQL through DATABASE_URL at scale.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web process read while a worker writes; IMMEDIATE avoids lock-upgrade deadlocks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    # A file, not memory: integration tests share the test database with a real worker process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects"
LOGOUT_REDIRECT_URL = "login"

# Behind HTTPS in production: HTTPS=true turns on every secure-transport setting `check --deploy` asks for.
if env.bool("HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# A shared cache keeps throttles and rate limits consistent across processes; local memory by default.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Files. Static files are public (whitenoise); asset files are private and only ever
# served through views that check project membership. There is deliberately no MEDIA_URL route.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

if env("AWS_STORAGE_BUCKET_NAME", default=""):
    _file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("SIGNED_URL_SECONDS", default=300),
            # SigV4 everywhere (SigV2 is refused by newer AWS regions and by most S3-compatible stores).
            "signature_version": env("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default=None),
            "file_overwrite": True,
        },
    }
elif env("GS_BUCKET_NAME", default=""):
    _file_storage = {
        "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
        "OPTIONS": {
            "bucket_name": env("GS_BUCKET_NAME"),
            "querystring_auth": True,
            "expiration": env.int("SIGNED_URL_SECONDS", default=300),
            "file_overwrite": True,
        },
    }
else:
    _file_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Overwrite, so a retried job writing its deterministic keys replaces rather than duplicates.
        "OPTIONS": {"location": env("FILES_DIR", default=str(VAR_DIR / "files")), "base_url": None, "allow_overwrite": True},
    }
# Object stores hand out short-lived signed URLs; local files are streamed by a guarded view.
SIGNED_URL_SECONDS = env.int("SIGNED_URL_SECONDS", default=300)
FILES_SERVED_BY_SIGNED_URL = _file_storage["BACKEND"] != "django.core.files.storage.FileSystemStorage"
STORAGES = {
    "default": _file_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST API
# One page size for every list, REST (cursor pages; a client may ask up to PAGE_SIZE_MAX) and pages.
PAGE_SIZE = env.int("PAGE_SIZE", default=48)
PAGE_SIZE_MAX = env.int("PAGE_SIZE_MAX", default=200)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_THROTTLE_RATES": {"job_creation": env("JOB_CREATION_RATE", default="120/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Brand image platform API",
    "DESCRIPTION": "Generate, edit, review and trace images made with Gemini image models.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: the platform works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GenerationKindEnum": "apps.generations.models.Kind",
        "GenerationStatusEnum": "apps.generations.models.Status",
        "LibraryEntryKindEnum": "apps.library.models.EntryKind",
        "RoleEnum": "apps.projects.models.Role",
    },
}

# --- Celery. The embedded broker is kombu's filesystem transport: no server, works across
# processes on one machine. A message is removed from the queue folder when a worker takes it,
# so a worker killed mid-job loses the message; the database sweep (generation_recover) re-queues.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),  # kombu's default is ./control, in the checkout
        "store_processed": False,
        # kombu's 1 s default adds up to a second per job; 20 ms keeps platform time within ~2% of a bare loop.
        "polling_interval": env.float("BROKER_POLLING_SECONDS", default=0.02),
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Upstream calls wait on the network (seconds per image): their queue is served by a thread pool
# with many threads. Webhook deliveries get their own queue so a slow receiver never takes a
# generation's thread.
CELERY_TASK_DEFAULT_QUEUE = "generations"
CELERY_TASK_QUEUES = (Queue("generations"), Queue("webhooks"))  # a worker without -Q serves both
CELERY_TASK_ROUTES = {"webhooks.*": {"queue": "webhooks"}, "generations.*": {"queue": "generations"}}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "recover-stale-generations": {
        "task": "generations.recover_stale",
        "schedule": env.int("RECOVERY_INTERVAL_SECONDS", default=60),
    },
    "poll-upstream-batches": {
        "task": "batches.poll",
        "schedule": env.float("BATCH_POLL_INTERVAL_SECONDS", default=60),
    },
}

# --- Generation jobs
# Requests per minute per model, shared by all workers: "nano-banana-2=60,nano-banana-pro=20" (0: no limit).
GEMINI_RPM = env.dict("GEMINI_RPM", cast={"value": int}, default={})
GEMINI_RPM_DEFAULT = env.int("GEMINI_RPM_DEFAULT", default=0)
# A job whose rate-limit turn is further off than this goes back on the queue until then instead of
# holding a worker thread asleep.
GEMINI_RATE_WAIT_MAX_SECONDS = env.float("GEMINI_RATE_WAIT_MAX_SECONDS", default=5.0)
GEMINI_TIMEOUT_MS = env.int("GEMINI_TIMEOUT_MS", default=120_000)  # a 4K image can take a minute
GENERATION_MAX_ATTEMPTS = env.int("GENERATION_MAX_ATTEMPTS", default=4)
GENERATION_RETRY_BASE_SECONDS = env.float("GENERATION_RETRY_BASE_SECONDS", default=2.0)
GENERATION_RETRY_MAX_SECONDS = env.float("GENERATION_RETRY_MAX_SECONDS", default=60.0)
# A running job whose heartbeat is older than this is presumed orphaned by a dead worker (a live worker
# refreshes it every quarter of this, also while it waits), and a queued job whose id was sent longer
# ago than this is sent again.
GENERATION_STALE_AFTER_SECONDS = env.int("GENERATION_STALE_AFTER_SECONDS", default=300)
# Batch API delivery: requests go inline below this many bytes, else as an uploaded JSONL file
# (0: the API's own limit, from the catalogue; an operator may only lower it). One worker holds a
# batch (submitting or collecting) for at most the lease; after it, a batch recorded but not
# confirmed upstream is looked up by display name (and created only if missing). Keep the lease
# above GEMINI_TIMEOUT_MS so a slow create is not repeated while still in flight.
GEMINI_BATCH_INLINE_LIMIT_BYTES = env.int("GEMINI_BATCH_INLINE_LIMIT_BYTES", default=0)
BATCH_LEASE_SECONDS = env.float("BATCH_LEASE_SECONDS", default=300)

# --- Webhooks
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=5.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# --- Uploads
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
THUMBNAIL_MAX_SIDE = 384

# --- Content Credentials (C2PA): downloads and exports carry a signed manifest.
# The signer's certificate chain and private key, each as PEM text or the path of a PEM file. Empty:
# the development CA and signer that bin/setup makes under var/c2pa/ (readers call it untrusted).
C2PA_SIGNING_CERT = env("C2PA_SIGNING_CERT", default="")
C2PA_SIGNING_KEY = env("C2PA_SIGNING_KEY", default="")
C2PA_SIGNING_ALG = env("C2PA_SIGNING_ALG", default="ES256")
# An RFC 3161 timestamp authority; off by default since nothing here reaches the internet.
C2PA_TIMESTAMP_URL = env("C2PA_TIMESTAMP_URL", default="")
# Root certificates (PEM text or path) that reading trusts, e.g. the C2PA trust list; empty: none.
C2PA_TRUST_ANCHORS = env("C2PA_TRUST_ANCHORS", default="")
C2PA_DEV_DIR = VAR_DIR / "c2pa"

# Logs: plain text by default; LOG_FORMAT=json gives one JSON object a line, with job_id and
# project_id on every record written while a job runs.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"job": {"()": "apps.core.observability.JobContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["job"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "google_genai": {"level": "WARNING"},
    },
}
