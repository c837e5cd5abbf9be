"""gunicorn settings for the web process: `gunicorn -c platform/gunicorn.conf.py`.

Every value can be changed from the environment, so the same file serves a laptop, the compose
file and CI. The API is mostly database and storage round trips (file downloads are redirects to
signed URLs, never streamed through here), so a few processes with a few threads each are enough;
upstream Gemini calls never happen in the web process, they run in the Celery workers.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2 + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Uploads of up to UPLOAD_MAX_BYTES and export zips take a while on slow links.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Not preloaded: each worker opens its own database connections after the fork.
preload_app = False
# Logs to stdout/stderr for the process manager; access log off unless asked (the app logs itself).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Request heads are bounded here; gunicorn has no body limit, so bodies are capped by the app before
# they are read (REQUEST_MAX_BYTES, UPLOAD_MAX_BYTES: apps/core/uploads.py). A proxy in front should
# cap them too (e.g. nginx client_max_body_size) so oversized bodies never reach a worker.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))
# Behind a proxy that sets X-Forwarded-Proto (see HTTPS=true in settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Once the app is loaded in a worker: collect, then freeze what is left (Django, the URL
    patterns, DRF, every imported module) so the collector never traverses it again. Without this,
    each full collection a request's garbage triggers walks the whole loaded framework: under
    bench.web_load the job list spent 30.9 ms of worker CPU per request instead of 24.0."""
    import gc

    gc.collect()
    gc.freeze()
