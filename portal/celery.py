"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    """With CELERY_DB_REUSE_MAX the worker keeps its connection between tasks; close it when
    broken or older than CONN_MAX_AGE, as Django does around each request."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """Round trip used by the health check and the worker integration test."""
    return value
