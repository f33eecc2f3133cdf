"""Health endpoint for the load balancer and operators: database, Redis, Celery workers."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is "down" for a health check
        return f"down: {exc.__class__.__name__}"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"down: {exc.__class__.__name__}"


def _check_workers() -> str:
    """Ask the workers to answer a ping; the answer is cached for a few seconds so that a
    load balancer polling every second does not flood the broker."""
    if not settings.REDIS_URL:
        return "eager (no broker)"
    cached = cache.get("health:workers")
    if cached:
        return cached
    from portal.celery import app

    try:
        replies = app.control.ping(timeout=0.5)
        status = f"ok ({len(replies)})" if replies else "down: no worker answered"
    except Exception as exc:  # noqa: BLE001
        status = f"down: {exc.__class__.__name__}"
    cache.set("health:workers", status, 10)
    return status


@never_cache
def health(request):
    started = time.perf_counter()
    checks = {"database": _check_database(), "redis": _check_redis()}
    if request.GET.get("workers") != "0":
        checks["workers"] = _check_workers()
    healthy = checks["database"] == "ok" and checks["redis"] in {"ok", "not configured"}
    body = {"status": "ok" if healthy else "degraded", "checks": checks}
    body["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(body, status=200 if healthy else 503)
