"""What happens after a dossier event is committed: the notifications app is told."""

from __future__ import annotations

import importlib.util
import logging

logger = logging.getLogger(__name__)


def dossier_event_committed(dossier_id: int, event: str) -> None:
    """Registered with ``transaction.on_commit`` by every service: one call per event."""
    if importlib.util.find_spec("portal.notifications") is None:
        logger.info("dossier_event dossier_id=%s event=%s notifications=absent", dossier_id, event)
        return
    from portal.notifications.services import notify_dossier_event

    notify_dossier_event(dossier_id=dossier_id, event=event)
