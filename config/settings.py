"""Settings come from the environment; every default is the embedded, one-machine profile."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

# Private by default: the database (password hashes, tokens, webhook secrets), keys, files and
# broker messages are readable by this user only. The umask covers everything any entry point
# (manage.py, wsgi, celery) creates from here on; the chmods tighten an older installation.
os.umask(0o077)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def _make_private(path: Path, mode: int) -> None:
    if path.exists() and path.stat().st_uid == os.getuid():
        path.chmod(mode)


VAR_DIR.mkdir(parents=True, exist_ok=True)
_make_private(VAR_DIR, 0o700)
for _name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "secret_key"):
    _make_private(VAR_DIR / _name, 0o600)

DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """One random key per installation, kept under var/ so sessions and tokens survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Several processes on several machines (PostgreSQL instead of SQLite, or MULTI_PROCESS=true) must
# share one key: a key generated per container would differ between web and workers and be lost
# on each rebuild. The embedded profile (SQLite under var/) shares var/secret_key instead.
_DATABASE_URL = env("DATABASE_URL", default="")
MULTI_PROCESS = env.bool("MULTI_PROCESS", default=bool(_DATABASE_URL) and not _DATABASE_URL.startswith("sqlite"))
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY and MULTI_PROCESS and not DEBUG:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With a shared database (DATABASE_URL) or MULTI_PROCESS=true, every web, worker and "
        "scheduler process must use the same key: set SECRET_KEY to one long random value everywhere, e.g. the "
        "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
SECRET_KEY = SECRET_KEY or _embedded_secret_key()
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
    "axes",
    "csp",
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
    "apps.audit",
    "apps.campaigns",
    "apps.apikeys",
    "apps.checks",
    "apps.accounts",
    "apps.guests",
    "apps.placements",
    "apps.workflow",
    "apps.rights",
    "apps.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database or storage outage met by a view answers 503 + Retry-After, not a 500 (apps/core/outages.py).
    "apps.core.outages.OutageMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.uploads.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a lockout flagged during authentication into the "try again in N s" answer.
    "axes.middleware.AxesMiddleware",
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
DATABASES = {"default": env.db_url_config(_DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
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
    # A kept connection that died while idle (the server restarted, failed over) is checked before
    # its first use in a request or task and replaced, instead of failing that request with a 500.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Password guessing: one rule (django-axes) for the token endpoint, /login/ and /admin/login/.
# After LOGIN_FAILURE_LIMIT failures for one account from one address within the cool-off, that
# account is refused from that address (429, "try again in N s") until the cool-off has passed
# since its last failure; colleagues behind the same address still sign in. After
# LOGIN_ADDRESS_FAILURE_LIMIT failures from one address on any accounts (password spraying), the
# address is refused for everyone. Counts live in the database, so every web process shares them.
AUTHENTICATION_BACKENDS = ["apps.core.login_throttle.LoginThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(seconds=env.int("LOGIN_LOCKOUT_SECONDS", default=900))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair locks; the address alone: below
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=100)
AXES_HANDLER = "apps.core.login_throttle.LoginThrottleHandler"
# Refused attempts during a lock are not counted: a script retrying while locked does not add up
# to the address's limit and lock its colleagues out.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.core.login_throttle.lockout_response"
# Behind a reverse proxy, name the header it sets (e.g. HTTP_X_FORWARDED_FOR) so addresses are the
# clients', not the proxy's; unset, the peer address counts.
LOGIN_CLIENT_IP_HEADER = env("LOGIN_CLIENT_IP_HEADER", default="")
AXES_CLIENT_IP_CALLABLE = "apps.core.login_throttle.client_address"

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
        # Overwrite rather than rename on a clash: a row records the exact key it wrote (files.file_write checks).
        "OPTIONS": {"location": env("FILES_DIR", default=str(VAR_DIR / "files")), "base_url": None, "allow_overwrite": True},
    }
# Object stores hand out short-lived signed URLs; local files are streamed by a guarded view.
SIGNED_URL_SECONDS = env.int("SIGNED_URL_SECONDS", default=300)
FILES_SERVED_BY_SIGNED_URL = _file_storage["BACKEND"] != "django.core.files.storage.FileSystemStorage"
STORAGES = {
    "default": _file_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp): scripts only from our own static files (htmx, the page
# scripts, Swagger UI's split view); inline JSON from json_script is data, not script, so it needs
# nothing. Inline scripts, event-handler attributes and eval are refused; inline style attributes
# are allowed (templates and the admin use them). Images: ours, blob: previews of files chosen for
# upload, and the bucket that serves signed URLs (the file views redirect there); CSP_IMG_SRC adds more.
def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_signed_url_origins = []
if _file_storage["BACKEND"] == "storages.backends.s3.S3Storage":
    _endpoint = _file_storage["OPTIONS"]["endpoint_url"]
    _signed_url_origins = [_origin(_endpoint)] if _endpoint else ["https://*.amazonaws.com"]
elif _file_storage["BACKEND"] == "storages.backends.gcloud.GoogleCloudStorage":
    _signed_url_origins = ["https://storage.googleapis.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_signed_url_origins, *env.list("CSP_IMG_SRC", default=[])],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- REST API
# One page size for every list, REST (cursor pages; a client may ask up to PAGE_SIZE_MAX) and pages.
PAGE_SIZE = env.int("PAGE_SIZE", default=48)
PAGE_SIZE_MAX = env.int("PAGE_SIZE_MAX", default=200)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.apikeys.authentication.PersonalTokenAuthentication",
        "apps.apikeys.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies unless a view says otherwise (uploads: multipart; the token endpoint: form).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.PlatformAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": PAGE_SIZE,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "job_creation": env("JOB_CREATION_RATE", default="120/min"),
        "signing": env("SIGNING_RATE", default="30/min"),  # new Content Credentials signings per person (cached copies are free)
    },
}
# The schema and its docs page list every endpoint and field: signed-in users only, unless
# API_SCHEMA_PUBLIC=true (e.g. for a public developer portal). Nothing secret is in it either way.
API_SCHEMA_PUBLIC = env.bool("API_SCHEMA_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny" if API_SCHEMA_PUBLIC else "rest_framework.permissions.IsAuthenticated"],
    "TITLE": "Brand image platform API",
    "DESCRIPTION": (
        "Generate, edit, review and trace images made with Gemini image models.\n\n"
        "**Credentials**: a personal token from `POST /api/v1/auth/token/` (a form) as `Authorization: Token ...`, "
        "or a project API key as `Authorization: Bearer bip_...` (one role in one project).\n\n"
        "**Errors** always have the shape of the `Error` schema.\n\n"
        "**Webhooks** follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`; `whsec_` "
        "secrets): verify them with a `standardwebhooks` library. The body is a `WebhookEvent`: "
        "`generation.succeeded`, `generation.failed`, `asset.review_changed` or `campaign.stage_finished`, "
        "each with the `data` its schema documents."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",  # tags and operation ids by resource: `assets_list`, not `v1_..._list`
    # Served from our own static files: the platform works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GenerationKindEnum": "apps.generations.models.Kind",
        "GenerationStatusEnum": "apps.generations.models.Status",
        "LibraryEntryKindEnum": "apps.library.models.EntryKind",
        "RoleEnum": "apps.projects.models.Role",
        "ApiKeyRoleEnum": "apps.apikeys.models.KeyRole",
        "GenerationDeliveryEnum": "apps.generations.models.Delivery",
        "RightKindEnum": "apps.rights.models.RightKind",
    },
}

# --- Email (member invitations): EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587.
# Unset on the embedded profile, mails are written to the console (a developer's own terminal).
# Unset on a shared deployment (MULTI_PROCESS), nothing is sent and the log says mail is not
# configured, never printing a message's body: an invitation's body holds its accept link.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif MULTI_PROCESS:
    EMAIL_BACKEND = "apps.core.mail.MailNotConfiguredBackend"
else:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Brand image platform <noreply@localhost>")
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Links in notification emails (and their unsubscribe links) start with this; no request carries them.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
BELL_POLL_SECONDS = env.int("BELL_POLL_SECONDS", default=15)  # how often each page's bell asks for the unread count

# --- Operations: /metrics and the details of /readyz (which check failed, and why) are for
# callers with `Authorization: Bearer $METRICS_TOKEN`; without a token set, only for callers on
# this machine's loopback that no proxy forwarded. Everyone gets /healthz and /readyz's status.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
READYZ_STORAGE_SECONDS = env.float("READYZ_STORAGE_SECONDS", default=10.0)

# --- Infrastructure outages (apps/core/outages.py): how long a worker's step rides out the database
# or the object store being away (retrying with backoff from OUTAGE_RETRY_BASE_SECONDS, at most
# OUTAGE_RETRY_MAX_SECONDS apart) before it gives up as it did before; what a request that meets
# an outage is told to wait (Retry-After of its 503).
DATABASE_OUTAGE_SECONDS = env.float("DATABASE_OUTAGE_SECONDS", default=30.0)
STORAGE_OUTAGE_SECONDS = env.float("STORAGE_OUTAGE_SECONDS", default=120.0)
OUTAGE_RETRY_BASE_SECONDS = env.float("OUTAGE_RETRY_BASE_SECONDS", default=0.25)
OUTAGE_RETRY_MAX_SECONDS = env.float("OUTAGE_RETRY_MAX_SECONDS", default=4.0)
DATABASE_RETRY_AFTER_SECONDS = env.int("DATABASE_RETRY_AFTER_SECONDS", default=5)
STORAGE_RETRY_AFTER_SECONDS = env.int("STORAGE_RETRY_AFTER_SECONDS", default=15)

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
# generation's thread. Thumbnails are CPU work, made after the job is done on `renditions`, served
# at scale by a worker with about as many processes as cores. Brand checks (OCR, colour, logo) are
# CPU work too, on `checks`, so they never delay a job or a thumbnail.
CELERY_TASK_DEFAULT_QUEUE = "generations"
CELERY_TASK_QUEUES = (Queue("generations"), Queue("webhooks"), Queue("renditions"), Queue("checks"))  # a worker without -Q serves all
CELERY_TASK_ROUTES = {"webhooks.*": {"queue": "webhooks"}, "generations.*": {"queue": "generations"}, "assets.*": {"queue": "renditions"}, "checks.*": {"queue": "checks"}}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "recover-stale-generations": {
        "task": "generations.recover_stale",
        "schedule": env.int("RECOVERY_INTERVAL_SECONDS", default=60),
    },
    "announce-finished-generations": {
        "task": "generations.announce_missed",
        "schedule": env.int("RECOVERY_INTERVAL_SECONDS", default=60),
    },
    # A broker restart loses the messages it held, and a job created while it was away was never sent:
    # both are found in the database and sent again within seconds (apps/generations/engine.py).
    "resend-unsent-generations": {
        "task": "generations.resend_unsent",
        "schedule": env.float("RESEND_UNSENT_INTERVAL_SECONDS", default=5.0),
    },
    "poll-upstream-batches": {
        "task": "batches.poll",
        "schedule": env.float("BATCH_POLL_INTERVAL_SECONDS", default=60),
    },
}

# --- Generation jobs
# Requests per minute per model, shared by all workers: "nano-banana-2=60,nano-banana-pro=20" (0: no limit).
# (Cast after parsing: with a value cast, django-environ expects ";" between pairs, and the
# documented "a=60,b=20" stopped every process at startup.)
GEMINI_RPM = {model: int(rpm) for model, rpm in env.dict("GEMINI_RPM", default={}).items()}
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
# The orphan sweep (apps.generations.orphans): output files no asset points at, of jobs finished at
# least ORPHAN_MIN_AGE_SECONDS ago (and written before that), looking back ORPHAN_LOOKBACK_SECONDS.
GENERATION_TEST_ONLY_STORE_DELAY_SECONDS = env.float("GENERATION_TEST_ONLY_STORE_DELAY_SECONDS", default=0)
ORPHAN_MIN_AGE_SECONDS = env.int("ORPHAN_MIN_AGE_SECONDS", default=3600)
ORPHAN_LOOKBACK_SECONDS = env.int("ORPHAN_LOOKBACK_SECONDS", default=3 * 86400)
CELERY_BEAT_SCHEDULE["sweep-orphaned-outputs"] = {"task": "generations.sweep_orphans", "schedule": env.float("ORPHAN_SWEEP_INTERVAL_SECONDS", default=3600)}
# A finished job still unannounced after this long (its worker died before `job_finished`'s
# receivers ran, or one failed) is announced again by the recovery sweep's companion.
GENERATION_ANNOUNCE_GRACE_SECONDS = env.float("GENERATION_ANNOUNCE_GRACE_SECONDS", default=30.0)
# Batch API delivery: requests go inline below this many bytes, else as an uploaded JSONL file
# (0: the API's own limit, from the catalogue; an operator may only lower it). One worker holds a
# batch (submitting or collecting) for at most the lease; after it, a batch recorded but not
# confirmed upstream is looked up by display name (and created only if missing). Keep the lease
# above GEMINI_TIMEOUT_MS so a slow create is not repeated while still in flight.
GEMINI_BATCH_INLINE_LIMIT_BYTES = env.int("GEMINI_BATCH_INLINE_LIMIT_BYTES", default=0)
BATCH_LEASE_SECONDS = env.float("BATCH_LEASE_SECONDS", default=300)

# --- Brand checks (apps/checks): a reading left `checking` longer than this is re-queued by beat,
# at most CHECK_MAX_ATTEMPTS times (then it says the checks could not run: needs attention).
CHECK_STALE_AFTER_SECONDS = env.int("CHECK_STALE_AFTER_SECONDS", default=300)
CHECK_MAX_ATTEMPTS = env.int("CHECK_MAX_ATTEMPTS", default=3)
# Tests only (tests/scale/test_checks_races.py): a worker sleeps this long after taking a reading,
# so a test can kill it mid-check. Always 0 in production.
CHECK_TEST_ONLY_DELAY_SECONDS = env.float("CHECK_TEST_ONLY_DELAY_SECONDS", default=0)
CELERY_BEAT_SCHEDULE["recover-stale-checks"] = {"task": "checks.recover", "schedule": env.float("CHECK_RECOVERY_INTERVAL_SECONDS", default=60)}

# --- Webhooks
# The whole of one delivery attempt (connect, send, the receiver's answer) ends after this many seconds.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)  # read of a receiver's answer
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=5.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=10.0)  # how often beat re-sends due deliveries
CELERY_BEAT_SCHEDULE["workflow-tick"] = {"task": "workflow.tick", "schedule": env.float("WORKFLOW_TICK_SECONDS", default=60)}  # reminders, digests
CELERY_BEAT_SCHEDULE["sweep-webhook-deliveries"] = {"task": "webhooks.sweep", "schedule": WEBHOOK_SWEEP_SECONDS}
WEBHOOK_SECRET_GRACE_SECONDS = env.int("WEBHOOK_SECRET_GRACE_SECONDS", default=24 * 3600)  # default after a rotation
# For test receivers only: lets a literal loopback address (127.0.0.0/8, ::1) through the safety check.
# Never private addresses, never loopback inside NAT64/6to4 forms. Leave off in every deployment.
WEBHOOK_TEST_ALLOW_LOOPBACK = env.bool("WEBHOOK_TEST_ALLOW_LOOPBACK", default=False)

# --- Rights (apps/rights): a right's attached document (a PDF or an image) is at most this big; an
# owner's override of an ended right lasts at most this many days; the nightly recompute, expiry
# announcements and digests run at RIGHTS_NIGHTLY_HOUR (UTC).
RIGHTS_DOCUMENT_MAX_BYTES = env.int("RIGHTS_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
RIGHTS_OVERRIDE_MAX_DAYS = env.int("RIGHTS_OVERRIDE_MAX_DAYS", default=365)
RIGHTS_NIGHTLY_HOUR = env.int("RIGHTS_NIGHTLY_HOUR", default=2)
CELERY_BEAT_SCHEDULE["rights-nightly"] = {"task": "rights.nightly", "schedule": crontab(minute=0, hour=RIGHTS_NIGHTLY_HOUR)}

# --- Uploads
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
# Decoding is the memory an upload costs (width x height x 4 bytes, plus the re-encode): each web
# process decodes this many at once; other requests wait for a slot (see bench/upload_memory.py).
UPLOAD_DECODES_AT_ONCE = env.int("UPLOAD_DECODES_AT_ONCE", default=1)
# Bodies are capped before they are read (apps/core/uploads.py): a request may carry up to
# DATA_UPLOAD_MAX_NUMBER_FILES files (the most reference images one entry holds) of
# UPLOAD_MAX_BYTES each; form fields other than files at most DATA_UPLOAD_MAX_MEMORY_SIZE.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=DATA_UPLOAD_MAX_NUMBER_FILES * UPLOAD_MAX_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger files stream to a temporary file, never whole into memory
FILE_UPLOAD_HANDLERS = [
    "apps.core.uploads.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
THUMBNAIL_MAX_SIDE = 384
# Approving an asset renders all its channel placements on the renditions queue (apps.placements).
PLACEMENTS_RENDER_AHEAD = env.bool("PLACEMENTS_RENDER_AHEAD", default=True)
DISPLAY_MAX_SIDE = 1600  # what the pages show (apps/assets/renditions.py display_spec); downloads get the file

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
        "pyvips": {"level": "WARNING"},  # libvips narrates every thumbnail at INFO
        "axes": {"level": "WARNING"},  # lockouts are warnings; each counted failure is not news
    },
}

# --- Single sign-on with OpenID Connect (apps.accounts, through mozilla-django-oidc): on when
# OIDC_ISSUER is set; the provider's endpoints and keys come from its discovery document.
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_EMAIL_CLAIM = env("OIDC_EMAIL_CLAIM", default="email")
OIDC_NAME_CLAIM = env("OIDC_NAME_CLAIM", default="name")
# Entra ID sends no email_verified claim: set false there and rely on OIDC_ALLOWED_DOMAINS.
OIDC_REQUIRE_EMAIL_VERIFIED = env.bool("OIDC_REQUIRE_EMAIL_VERIFIED", default=True)
OIDC_ALLOWED_DOMAINS = [domain.lower().lstrip("@") for domain in env.list("OIDC_ALLOWED_DOMAINS", default=[])]
OIDC_BUTTON_LABEL = env("OIDC_BUTTON_LABEL", default="Sign in with your company account")
# Optional rules giving project access from a claim: "claim value=project id:role", e.g.
# OIDC_GROUP_ROLES=brand-team=6f1c...:editor,legal=6f1c...:reviewer (read from OIDC_GROUPS_CLAIM).
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_GROUP_ROLES = env.list("OIDC_GROUP_ROLES", default=[])
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=30)
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of RP-initiated logout
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_OP_LOGOUT_URL_METHOD = "apps.accounts.oidc.provider_logout_url"
LOGOUT_REDIRECT_URL_AFTER_PROVIDER = env("OIDC_POST_LOGOUT_REDIRECT_URL", default="")  # default: our login page
# SSO_ONLY=true: people sign in through the provider only; /admin/login/ keeps a password login for
# superusers (break glass). Tokens and API keys work as before.
SSO_ONLY = env.bool("SSO_ONLY", default=False)
if OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("apps.accounts.oidc.SsoBackend")
    # Logging out is a form whose answer redirects to the provider's end_session_endpoint.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_origin(OIDC_ISSUER))

# --- Guest review links (apps.guests)
REVIEW_LINK_DAYS_DEFAULT = env.int("REVIEW_LINK_DAYS_DEFAULT", default=14)
REVIEW_LINK_DAYS_MAX = env.int("REVIEW_LINK_DAYS_MAX", default=90)
GUEST_ACTIONS_PER_MINUTE = env.int("GUEST_ACTIONS_PER_MINUTE", default=30)
