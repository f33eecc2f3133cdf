"""gunicorn settings for `make prod`: sync workers, one per core.

FIELD-NOTES (2-core machine): two sync workers served a bare view at ~2,100 requests a
second; four workers, gthread and uvicorn were all slower. Override with WEB_CONCURRENCY.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
# Keep-alive lets a load balancer reuse connections; sync workers must not wait long on one.
keepalive = 2
timeout = 30
graceful_timeout = 20
# A worker is recycled after this many requests (a guard against slow leaks; 0: never). Each
# recycling stalled callers for up to a second under a constant 450 answers/s (p99 1,000 ms
# with 20,000; 93 ms with none: bench/run.py --only hotline --hotline-rate 450), so it is rare:
# about every 13 minutes a worker at 250 requests a second.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 200000))
max_requests_jitter = max_requests // 10
# Uploads are read by Django; limit request lines and headers like a proxy would.
limit_request_line = 8190
limit_request_fields = 100
preload_app = True
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# One structured line a request: method, path, status, bytes, duration in ms.
access_log_format = 'ts=%(t)s level=INFO logger=access remote=%(h)s method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s ms=%(M)s ua="%(a)s"'


def when_ready(server):
    """The master holds the preloaded application: what each worker would otherwise do on its
    first request is done here once, and every worker — and every one that max_requests
    recycles — forks with it: the URLconf
    imported (every view module, ~0.3 s), the translation catalogues read, and the hotline's
    catalogue index built (~0.5 s), instead of callers queueing behind them."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from procedures.assistant.engine import warm_up

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and its views
    resolver.reverse_dict  # noqa: B018 - and fills the reverse lookup tables
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("")
    warm_up()
