"""What a dossier event tells the notifications app: an outbox row in the event's own
transaction."""

from __future__ import annotations

from portal.notifications.services import outbox_add


def dossier_event_recorded(dossier_id: int, event: str) -> None:
    """Called by every service inside the transaction that writes the event, once per event.

    The outbox row commits or rolls back with the event, so a crash after the commit loses
    no message; on commit one light task is queued, and a worker renders and sends the
    messages. The request itself renders nothing. An event that tells the citizen nothing
    new (created, rated) writes nothing.
    """
    outbox_add(dossier_id=dossier_id, event=event)
