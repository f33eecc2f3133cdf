from __future__ import annotations

from celery import shared_task

from procedures.assistant import services


@shared_task(name="assistant.record_buffered_turns", ignore_result=True)
def record_buffered_turns() -> int:
    """Every few seconds (beat): the hotline's turns buffered in Redis into the database."""
    return services.buffered_turns_record()
