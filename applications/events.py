"""What happens after a dossier event is committed: the notifications app is told."""

from __future__ import annotations

from portal.notifications.services import notify_dossier_event


def dossier_event_committed(dossier_id: int, event: str) -> None:
    """Registered with ``transaction.on_commit`` by every service: one call per event.

    ``notify_dossier_event`` writes the notification rows in its own transaction and queues
    the sending on that commit; it logs instead of raising, so a saved dossier never turns
    into an error page because a message could not be prepared.
    """
    notify_dossier_event(dossier_id=dossier_id, event=event)
