"""Notifications: the outbox, the message rows, their sending, and the periodic jobs.

Callers in other apps use two functions, inside their own transaction:

- ``outbox_add(dossier_id=..., event=...)`` (through ``applications.events``) by the
  dossier, payment and delivery services: one ``OutboxEvent`` row is written with the
  change it reports and one light task is queued on commit. The worker renders the
  messages, writes their ``Notification`` rows, deletes the outbox row in the same
  transaction and sends them. The citizen's request pays for one INSERT and one message to
  the broker, not for rendering three templates and writing three rows.
- ``notification_queue(recipient=..., event=..., context=...)`` for messages whose text
  is known now: the rows are written in the caller's transaction and handed to Celery on
  commit, in batches.

"Nothing lost": an outbox row or a queued row is the message. If Redis is down when the
transaction commits, the hand-over fails, is logged, and the row waits;
``outbox_requeue_stuck`` and ``notifications_requeue_stuck`` (Celery beat) queue it again
later. Processing and sending are idempotent, so a duplicate task is harmless.

Without Redis (embedded mode, Celery eager) the same work runs inline after the commit.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from celery.utils.time import get_exponential_backoff_interval
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.models import User
from portal.notifications.channels import Providers, deliver
from portal.notifications.constants import (
    DOSSIER_EVENTS,
    OPEN_DOSSIER_STATES,
    OVERDUE_DOSSIER_STATES,
    SILENT_DOSSIER_EVENTS,
    Channel,
    Event,
    Status,
)
from portal.notifications.defaults import default_template
from portal.notifications.exceptions import TransientDeliveryError
from portal.notifications.models import Notification, NotificationPreference, OutboxEvent, OverdueNotice
from portal.notifications.rendering import render, templates_for
from portal.notifications.sms import FAILED, SENT

logger = logging.getLogger(__name__)

# Rows handed to one send task. A task per row cost four PostgreSQL round trips and a Celery
# message each (187 a second for a worker pair); a batch shares one locking SELECT, one
# e-mail connection and one UPDATE.
SEND_BATCH_SIZE = 50
# A batch commits what it sent at least this often (seconds spent with providers). A worker
# killed after a provider accepted a message but before the commit makes that message go
# out a second time: the window is kept to what a fast provider does in 50 ms, and to a
# single row when the provider is slow.
SEND_COMMIT_WINDOW = 0.05
# Stop taking rows from a batch after this long (the task's soft time limit is 100 s): the
# rest go back to the broker untouched.
SEND_BATCH_BUDGET = 60.0
# An outbox row whose processing failed this many times is left for an operator (admin).
OUTBOX_MAX_ATTEMPTS = 5
# Outbox rows handed to one task by the sweep.
OUTBOX_BATCH_SIZE = 50


# --- Preferences -------------------------------------------------------------------------


def preference_for(*, user: User) -> NotificationPreference:
    """The stored preference, or the defaults (unsaved) for someone who never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def preference_update(*, user: User, email_enabled: bool, sms_enabled: bool, language: str) -> NotificationPreference:
    if sms_enabled and not (user.phone and user.phone_verified):
        raise ValueError("SMS needs a verified phone number.")
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        preference.email_enabled = email_enabled
        preference.sms_enabled = sms_enabled
        preference.language = language
        preference.save(update_fields=["email_enabled", "sms_enabled", "language", "updated_at"])
    return preference


def _channels_for(recipient: User, preference: NotificationPreference, requested: Iterable[str] | None) -> list[str]:
    if requested is None:
        requested = [Channel.SITE]
        if preference.email_enabled:
            requested.append(Channel.EMAIL)
        if preference.sms_enabled:
            requested.append(Channel.SMS)
    channels = []
    for channel in dict.fromkeys(requested):
        if channel not in Channel.values:
            raise ValueError(f"unknown channel {channel!r}")
        if channel == Channel.EMAIL and not recipient.email:
            continue
        # SMS only to a number the person proved is theirs (the profile clears the flag on change).
        if channel == Channel.SMS and not (recipient.phone and recipient.phone_verified):
            continue
        channels.append(channel)
    return channels


# --- Queueing ----------------------------------------------------------------------------


def _related_key(related_object: models.Model | tuple[str, str] | None) -> tuple[str, str]:
    if related_object is None:
        return "", ""
    if isinstance(related_object, tuple):
        return related_object
    meta = related_object._meta
    return f"{meta.app_label}.{meta.model_name}", str(related_object.pk)


def _render_or_default(*, event: str, channel: str, language: str, wording: tuple[str, str], context: dict[str, Any]):
    try:
        return render(subject=wording[0], body=wording[1], channel=channel, language=language, context=context)
    except Exception:
        # An operator's edit must not cost the citizen the message: use the shipped wording.
        fallback = default_template(event, channel, language) or default_template(event, channel, "vi")
        if fallback is None:
            raise
        logger.exception("notifications: template %s/%s/%s failed; shipped default used", event, channel, language)
        return render(subject=fallback[0], body=fallback[1], channel=channel, language=language, context=context)


def _notification_rows(
    *,
    recipient: User,
    event: str,
    context: dict[str, Any],
    channels: list[str] | None = None,
    related_object: models.Model | tuple[str, str] | None = None,
    preference: NotificationPreference | None = None,
    wordings: dict[tuple[str, str], dict[str, tuple[str, str] | None]] | None = None,
) -> list[Notification]:
    """Render one unsaved row per channel. ``wordings`` caches the templates of an event in
    a language across the calls of one batch (one query each)."""
    if event not in Event.values:
        raise ValueError(f"unknown notification event {event!r}")
    preference = preference or preference_for(user=recipient)
    language = preference.language
    full_context = {
        "citizen_name": recipient.get_full_name(),
        "portal_name": settings.PORTAL_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    related_type, related_id = _related_key(related_object)
    wanted = _channels_for(recipient, preference, channels)
    if not wanted:
        return []
    wordings = {} if wordings is None else wordings
    if (event, language) not in wordings:
        wordings[event, language] = templates_for(event=event, channels=Channel.values, language=language)
    now = timezone.now()
    rows: list[Notification] = []
    for channel in wanted:
        wording = wordings[event, language][channel]
        if wording is None:
            continue
        rendered = _render_or_default(
            event=event, channel=channel, language=language, wording=wording, context=full_context
        )
        site = channel == Channel.SITE
        rows.append(
            Notification(
                recipient=recipient,
                channel=channel,
                event=event,
                language=language,
                subject=rendered.subject,
                body_text=rendered.body_text,
                body_html=rendered.body_html,
                to_address={Channel.EMAIL: recipient.email, Channel.SMS: recipient.phone}.get(channel, ""),
                status=Status.SENT if site else Status.QUEUED,
                sent_at=now if site else None,
                related_type=related_type,
                related_id=related_id,
                queued_at=now,
            )
        )
    return rows


def _insert(rows: list[Notification]) -> list[Notification]:
    return Notification.objects.bulk_create(rows) if rows else []


def notification_queue(
    *,
    recipient: User,
    event: str,
    context: dict[str, Any],
    channels: list[str] | None = None,
    related_object: models.Model | tuple[str, str] | None = None,
) -> list[Notification]:
    """Write one row per channel in the caller's transaction; queue the sends on commit.

    ``channels=None`` follows the recipient's preferences (site always, e-mail unless
    switched off, SMS if chosen and the phone is verified). A channel without a template
    for the event is skipped. ``related_object`` is a model instance or ``(type, id)``."""
    # No savepoint: a failure here fails the caller's transaction, as any other write would.
    with transaction.atomic(savepoint=False):
        created = _insert(
            _notification_rows(
                recipient=recipient, event=event, context=context, channels=channels, related_object=related_object
            )
        )
    _send_after_commit([n.pk for n in created if n.status == Status.QUEUED])
    return created


class _SendOnCommit:
    """The queued rows of one transaction, handed to Celery in batches when it commits."""

    def __init__(self, notification_ids: list[int]):
        self.ids = list(notification_ids)

    def __call__(self) -> None:
        enqueue_notifications(self.ids)


def _send_after_commit(notification_ids: list[int]) -> None:
    """Queue the sends on commit. Consecutive calls in one transaction share one callback,
    so a transaction that writes many rows (a digest, a benchmark) hands them over in
    batches instead of one task per call.

    Only the callback registered last is extended (Django keeps them in
    ``run_on_commit``), whatever savepoint it was registered in: one still active then is
    still active now and guards these rows too, so a rollback that drops the callback also
    undoes the rows; one released since cannot roll back any more. The ids of rows rolled
    back with a later savepoint may ride along: a send only takes rows that exist, are
    committed and still queued, which any row with such an id is meant to be."""
    if not notification_ids:
        return
    connection = transaction.get_connection()
    registered = getattr(connection, "run_on_commit", None)
    if connection.in_atomic_block and registered and isinstance(registered[-1][1], _SendOnCommit):
        registered[-1][1].ids.extend(notification_ids)
        return
    transaction.on_commit(_SendOnCommit(notification_ids))


def _batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def _eager() -> bool:
    from portal.celery import app

    return bool(app.conf.task_always_eager)


def _publish(task, jobs: list[tuple[list[int], list[Any], dict[str, Any]]], *, what: str) -> int:
    """Hand each job (ids it covers, task arguments, options) to the broker; returns how many
    ids were handed over.

    One pooled connection, tried once without kombu's default reconnect loop (about 6 s of
    sleeps against a dead port, 19 s more if results went to Redis): a broker outage costs
    the caller a refused connection, not a hang. The first failure stops the loop (the
    broker is down for the others too); the rows wait for the sweep."""
    done = 0
    try:
        with task.app.pool.acquire(block=True) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            for ids, args, options in jobs:
                task.apply_async(args=args, connection=connection, retry=False, **options)
                done += len(ids)
    except Exception:
        every = [pk for ids, _args, _options in jobs for pk in ids]
        logger.warning(
            "notifications: could not queue %s of %s %s (ids %s…); the outbox sweep will send them",
            len(every) - done,
            len(every),
            what,
            every[done],
            exc_info=True,
        )
    return done


def enqueue_notifications(notification_ids: list[int]) -> int:
    """Hand the ids to Celery, ``SEND_BATCH_SIZE`` a task; runs after commit. Returns how
    many were handed over.

    A broker outage must not turn a saved dossier into an error page: the failure is logged
    and the rows stay queued for the sweep."""
    from portal.notifications.tasks import send_notifications

    batches = _batches(notification_ids, SEND_BATCH_SIZE)
    if _eager():
        # Embedded mode (no Redis): send inline; a provider error retries inline and ends
        # recorded on the row instead of surfacing in the caller's request.
        for batch in batches:
            try:
                notifications_send_batch(notification_ids=batch)
            except Exception:
                logger.warning("notifications: %s not sent inline; the sweep retries them", batch, exc_info=True)
        return len(notification_ids)
    return _publish(send_notifications, [(batch, [batch], {}) for batch in batches], what="notifications")


# --- Dossier events ----------------------------------------------------------------------


def _model(app_label: str, model_name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _relations(model: type[models.Model], names: Iterable[str]) -> list[str]:
    present = {f.name for f in model._meta.get_fields() if f.is_relation and (f.many_to_one or f.one_to_one)}
    return [name for name in names if name in present]


def _as_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def dossier_context(dossier: models.Model) -> dict[str, Any]:
    """The variables of the dossier templates; optional fields read defensively."""
    procedure = getattr(dossier, "procedure", None)
    agency = getattr(dossier, "agency", None)
    citizen = getattr(dossier, "citizen", None)
    try:
        url = _absolute(dossier.get_absolute_url())
    except (AttributeError, NoReverseMatch):
        url = _absolute("/")
    return {
        "code": getattr(dossier, "code", "") or str(dossier.pk),
        "citizen_name": citizen.get_full_name() if citizen else "",
        "procedure_name": getattr(procedure, "name", ""),
        "agency_name": getattr(agency, "name", ""),
        "appointment_date": _as_date(getattr(dossier, "appointment_date", None)),
        "state": getattr(dossier, "state", ""),
        "rejection_reason": getattr(dossier, "rejection_reason", "") or "",
        "supplement_request": getattr(dossier, "supplement_request", "") or "",
        "fee_amount": getattr(dossier, "fee_amount", 0) or 0,
        "public_id": str(getattr(dossier, "public_id", "") or ""),
        "url": url,
    }


def _loaded_preference(user: User) -> NotificationPreference:
    # After select_related("…__notification_preference"): no query, None cached when absent.
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def _load_dossiers(dossier_ids: Iterable[int]) -> dict[int, models.Model]:
    """The dossiers with what their messages need (citizen and preference, procedure,
    agency), in one query."""
    dossier_model = _model("applications", "Dossier")
    if dossier_model is None:
        return {}
    related = _relations(dossier_model, ("citizen", "procedure", "agency"))
    if "citizen" in related:
        related.append("citizen__notification_preference")
    return dossier_model.objects.select_related(*related).in_bulk(set(dossier_ids))


def _dossier_rows(
    dossier: models.Model | None,
    *,
    dossier_id: int,
    event: str,
    extra: dict[str, Any] | None = None,
    include_officials: bool = False,
    wordings: dict | None = None,
) -> list[Notification]:
    """The unsaved rows telling the dossier's citizen (and, with ``include_officials``, the
    agency's active officials) of ``event``. Logs instead of raising when there is nobody
    to tell."""
    if event in SILENT_DOSSIER_EVENTS:
        return []
    notification_event = DOSSIER_EVENTS.get(event)
    if notification_event is None:
        logger.error("notifications: unknown dossier event %r for dossier %s", event, dossier_id)
        return []
    if dossier is None or getattr(dossier, "citizen", None) is None:
        logger.error("notifications: dossier %s not found (or no citizen) for event %s", dossier_id, event)
        return []
    context = {**dossier_context(dossier), **(extra or {})}
    if notification_event == Event.DOSSIER_OVERDUE_APOLOGY:
        context.setdefault("missed_date", context["appointment_date"])
        context.setdefault("new_appointment_date", context["appointment_date"])
    rows = _notification_rows(
        recipient=dossier.citizen,
        event=notification_event,
        context=context,
        related_object=dossier,
        preference=_loaded_preference(dossier.citizen),
        wordings=wordings,
    )
    official_model = _model("applications", "Official")
    if include_officials and official_model is not None:
        officials = official_model.objects.filter(
            agency_id=getattr(dossier, "agency_id", None), is_active=True, user__is_active=True
        ).select_related("user", "user__notification_preference")
        for official in officials:
            rows += _notification_rows(
                recipient=official.user,
                event=notification_event,
                context=context,
                related_object=dossier,
                preference=_loaded_preference(official.user),
                wordings=wordings,
            )
    return rows


def notify_dossier_event(*, dossier_id: int, event: str, extra: dict[str, Any] | None = None) -> list[Notification]:
    """Notify the dossier's citizen of ``event`` now (a key of ``DOSSIER_EVENTS``: submitted,
    validated, supplement_requested, resubmitted, rejected, processed, delivered, withdrawn,
    overdue, fee_due, payment_received, fee_settled, shipment_dispatched, shipment_delivered,
    shipment_returned). ``extra`` adds template variables (receipt_number, tracking_number…).

    The services that change a dossier do not call this in the request: they write an
    outbox row with ``outbox_add`` and the worker does this work. The rows are written in a
    transaction of their own and their sends are queued when it commits."""
    with transaction.atomic():
        dossier = _load_dossiers([dossier_id]).get(dossier_id) if event not in SILENT_DOSSIER_EVENTS else None
        rows = _insert(_dossier_rows(dossier, dossier_id=dossier_id, event=event, extra=extra))
    _send_after_commit([n.pk for n in rows if n.status == Status.QUEUED])
    return rows


# --- The outbox of dossier events --------------------------------------------------------


def outbox_add(
    *, dossier_id: int, event: str, extra: dict[str, Any] | None = None, include_officials: bool = False
) -> OutboxEvent | None:
    """Record, in the caller's transaction, that the dossier's citizen (and with
    ``include_officials`` the agency's officials) must be told of ``event`` (a key of
    ``DOSSIER_EVENTS``); one task is queued on commit. ``extra`` adds template variables,
    as JSON primitives (tracking_number, receipt_number…).

    The caller's request pays one INSERT and, after its commit, one message to the broker.
    A silent event writes nothing; an unknown one is logged, never raised: the wording of a
    message must not refuse a dossier's change."""
    if event in SILENT_DOSSIER_EVENTS:
        return None
    if event not in DOSSIER_EVENTS:
        logger.error("notifications: unknown dossier event %r for dossier %s", event, dossier_id)
        return None
    entry = OutboxEvent.objects.create(
        dossier_id=dossier_id, event=event, extra=extra or {}, include_officials=include_officials
    )
    transaction.on_commit(partial(enqueue_outbox, [entry.pk]))
    return entry


def enqueue_outbox(outbox_ids: list[int]) -> int:
    """Hand outbox rows to Celery; runs after commit. Returns how many were handed over.
    A broker outage is logged and the rows wait for the sweep; in embedded mode (no Redis)
    they are processed and sent inline, as the notifications always were."""
    from portal.notifications.tasks import process_outbox_events

    if _eager():
        try:
            outbox_process(outbox_ids=outbox_ids)
        except Exception:
            logger.warning(
                "notifications: events %s not processed inline; the sweep retries them", outbox_ids, exc_info=True
            )
        return len(outbox_ids)
    batches = _batches(outbox_ids, OUTBOX_BATCH_SIZE)
    return _publish(process_outbox_events, [(batch, [batch], {}) for batch in batches], what="dossier events")


def outbox_process(*, outbox_ids: Iterable[int], take_others: bool = True) -> int:
    """The worker's side of the outbox: events become their notification rows, which are
    then sent by this same task. Returns how many events were processed.

    In one transaction the outbox rows are locked (``SKIP LOCKED``: a duplicate task leaves
    them to the one holding them) and deleted, their messages rendered and written, all or
    nothing; a later task for the same events finds nothing. With ``take_others`` the task
    also takes the oldest fresh events still waiting, up to ``OUTBOX_BATCH_SIZE``: under
    load events arrive faster than tasks start, and one transaction, one dossier query and
    one INSERT then serve many (their own tasks find nothing to do). A failure (a broken
    wording, a bug) rolls the batch back; the events are then taken one by one, so that the
    others go out and the failing one is recorded (attempts, error) for the sweep, which
    retries it ``OUTBOX_MAX_ATTEMPTS`` times."""
    ids = list(dict.fromkeys(outbox_ids))
    if not ids:
        return 0
    claimed: list[int] = []
    try:
        with transaction.atomic():
            waiting = OutboxEvent.objects.select_for_update(skip_locked=True)
            if take_others:
                # Its own events first, then the oldest fresh ones (failing ones are the sweep's).
                waiting = waiting.filter(Q(pk__in=ids) | Q(attempts=0)).order_by(
                    Case(When(pk__in=ids, then=Value(0)), default=Value(1)), "pk"
                )
            else:
                waiting = waiting.filter(pk__in=ids).order_by("pk")
            entries = list(waiting[: max(OUTBOX_BATCH_SIZE, len(ids))])
            claimed = [entry.pk for entry in entries]
            # The delete is the claim: on SQLite (no row locks) another process may have
            # taken some meanwhile, and deletes them, not this one.
            if entries and OutboxEvent.objects.filter(pk__in=claimed).delete()[0] != len(entries):
                raise _OutboxTaken
            dossiers = _load_dossiers(entry.dossier_id for entry in entries)
            wordings: dict = {}
            rows: list[Notification] = []
            for entry in entries:
                rows += _dossier_rows(
                    dossiers.get(entry.dossier_id),
                    dossier_id=entry.dossier_id,
                    event=entry.event,
                    extra=entry.extra,
                    include_officials=entry.include_officials,
                    wordings=wordings,
                )
            rows = _insert(rows)
    except Exception as exc:
        if take_others and (len(claimed) > 1 or isinstance(exc, _OutboxTaken)):
            return sum(outbox_process(outbox_ids=[pk], take_others=False) for pk in claimed)
        if isinstance(exc, _OutboxTaken):
            return 0  # another process has it
        failed = claimed or ids
        logger.exception("notifications: event %s not processed; the sweep retries it", failed)
        OutboxEvent.objects.filter(pk__in=failed).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=timezone.now()
        )
        for pk in OutboxEvent.objects.filter(pk__in=failed, attempts__gte=OUTBOX_MAX_ATTEMPTS).values_list(
            "pk", flat=True
        ):
            logger.error("notifications: event %s failed %s times; left for an operator", pk, OUTBOX_MAX_ATTEMPTS)
        return 0
    # Sent here rather than queued behind the tasks waiting in the broker (under a backlog,
    # those are mostly tasks of events this one took); SEND_BATCH_BUDGET bounds the time.
    to_send = [n.pk for n in rows if n.status == Status.QUEUED]
    if to_send:
        notifications_send_batch(notification_ids=to_send)
    return len(claimed)


class _OutboxTaken(Exception):
    """Some of the claimed outbox rows were deleted by another process meanwhile."""


def outbox_retry(*, outbox_ids: list[int]) -> int:
    """An operator's "process again" (after repairing a wording): the failure count starts
    over and the events are queued on commit. Returns how many there were."""
    with transaction.atomic():
        count = OutboxEvent.objects.filter(pk__in=outbox_ids).update(attempts=0, updated_at=timezone.now())
        transaction.on_commit(partial(enqueue_outbox, list(outbox_ids)))
    return count


def outbox_requeue_stuck(*, older_than: timedelta, limit: int = 1000) -> int:
    """The outbox sweep: queue again the events not processed for ``older_than`` (their task
    never reached the broker, e.g. Redis was down at commit, or was lost), except those that
    failed ``OUTBOX_MAX_ATTEMPTS`` times. Touching ``updated_at`` keeps the next sweep from
    queuing them again straight away."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutboxEvent.objects.filter(updated_at__lte=cutoff, attempts__lt=OUTBOX_MAX_ATTEMPTS)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    OutboxEvent.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    queued = enqueue_outbox(ids)
    logger.info("notifications: sweep re-queued %s of %s stuck dossier events", queued, len(ids))
    return queued


# --- Sending -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    # A ``Status`` value, or "skipped" (another worker holds the row right now, or it is gone).
    status: str
    error: str = ""
    # A transient failure was recorded on the row: try again later, with backoff.
    retry: bool = False
    # Not tried: its provider failed earlier in this batch, or the batch ran out of time.
    deferred: bool = False


_SEND_FIELDS = ["attempts", "status", "sent_at", "provider_message_id", "provider_answer", "last_error", "updated_at"]


def _per_row(rows: list[Notification], field_name: str) -> Any:
    """The rows' values of one field for an UPDATE: the value itself when they share it,
    else ``CASE id WHEN … THEN … END`` (Django's ``bulk_update`` builds a filter per row and
    field, which cost more CPU than sending the e-mails)."""
    field = Notification._meta.get_field(field_name)
    values = [getattr(row, field.attname) for row in rows]
    if all(value == values[0] for value in values):
        return values[0]
    connection = transaction.get_connection()
    then = "%s"
    if isinstance(field, models.JSONField) and connection.vendor == "postgresql":
        then = "CAST(%s AS jsonb)"
    params: list[Any] = []
    for row, value in zip(rows, values, strict=True):
        params += [row.pk, field.get_db_prep_save(value, connection)]
    whens = " ".join(f"WHEN %s THEN {then}" for _row in rows)
    # Every value is a bound parameter; the only name is the quoted primary key column.
    return RawSQL(f"CASE {connection.ops.quote_name('id')} {whens} END", params, output_field=field)  # noqa: S611


def _save_attempts(rows: list[Notification]) -> None:
    """Write the attempts' results: one UPDATE for the rows sent (nearly all of them), and
    Django's ``bulk_update`` for the few that failed."""
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    sent = [row for row in rows if row.status == Status.SENT]
    if sent:
        for row in sent:
            row.sent_at = now  # when the batch's results were committed, within the window
        Notification.objects.filter(pk__in=[row.pk for row in sent]).update(
            status=Status.SENT,
            sent_at=now,
            last_error="",
            updated_at=now,
            # Locked since it was read: the stored count is the one read.
            attempts=F("attempts") + 1,
            provider_message_id=_per_row(sent, "provider_message_id"),
            provider_answer=_per_row(sent, "provider_answer"),
        )
    others = [row for row in rows if row.status != Status.SENT]
    if others:
        Notification.objects.bulk_update(others, _SEND_FIELDS)


def _attempt(notification: Notification, providers: Providers, *, final_attempt: bool) -> SendOutcome:
    notification.attempts += 1
    result = deliver(notification, providers)
    notification.provider_answer = result.answer
    if result.status == SENT:
        notification.status = Status.SENT
        notification.sent_at = timezone.now()
        notification.provider_message_id = result.message_id[:200]
        notification.last_error = ""
        return SendOutcome(Status.SENT)
    notification.last_error = result.error
    if result.status == FAILED or final_attempt:
        notification.status = Status.FAILED
        return SendOutcome(Status.FAILED, error=result.error)
    return SendOutcome(Status.QUEUED, error=result.error, retry=True)


def notifications_send(*, notification_ids: Iterable[int], final_attempt: bool = False) -> dict[int, SendOutcome]:
    """Send queued rows once each; returns every id's outcome.

    The rows are locked with one ``SELECT … FOR UPDATE SKIP LOCKED`` and stay locked while
    their providers are called, and the results are written with one UPDATE in the same
    transaction. So a duplicate task (a re-delivery under acks_late, the sweep, a resend
    click) either finds a row locked and skips it, or finds it no longer queued. A row
    committed "sent" is never sent again; a worker killed before the commit leaves its rows
    queued, to be sent again (with the same request id, which lets a gateway drop the
    duplicate). The batch commits at least every ``SEND_COMMIT_WINDOW`` seconds of provider
    calls, so that such duplicates are limited to what was sent in that window.

    One e-mail connection and one SMS backend serve the whole batch. After a transient
    failure on a channel the batch does not try that channel's other rows (the provider is
    likely down for them too): they come back ``deferred``, untouched. A transient failure
    is recorded on its row (attempts, error) and comes back with ``retry``; with
    ``final_attempt`` it is "failed" instead."""
    outcomes: dict[int, SendOutcome] = {}
    pending = sorted(set(notification_ids))
    broken: set[str] = set()
    started = time.monotonic()
    with Providers() as providers:
        while pending:
            if time.monotonic() - started > SEND_BATCH_BUDGET:
                outcomes.update((pk, SendOutcome(Status.QUEUED, deferred=True)) for pk in pending)
                break
            with transaction.atomic():
                rows = list(
                    Notification.objects.select_for_update(skip_locked=True).filter(pk__in=pending).order_by("pk")
                )
                window = time.monotonic()
                attempted: list[Notification] = []
                for row in rows:
                    if attempted and time.monotonic() - window >= SEND_COMMIT_WINDOW:
                        break  # commit these; the rest are locked again in the next round
                    if row.status != Status.QUEUED:
                        outcomes[row.pk] = SendOutcome(row.status)
                    elif row.channel in broken:
                        outcomes[row.pk] = SendOutcome(Status.QUEUED, deferred=True)
                    else:
                        outcome = outcomes[row.pk] = _attempt(row, providers, final_attempt=final_attempt)
                        if outcome.retry:
                            broken.add(row.channel)
                        attempted.append(row)
                if attempted:
                    _save_attempts(attempted)
            found = {row.pk for row in rows}
            outcomes.update((pk, SendOutcome("skipped")) for pk in pending if pk not in found)
            pending = [pk for pk in pending if pk not in outcomes]
    return outcomes


def notification_send(*, notification_id: int, final_attempt: bool = False) -> str:
    """Send one queued row once (the single-row task: retries, resends). Returns its status
    afterwards ("skipped" when another worker holds it right now).

    A transient failure is recorded and committed, then raised for Celery's retry with
    backoff; on the last attempt it becomes "failed"."""
    outcome = notifications_send(notification_ids=[notification_id], final_attempt=final_attempt)[notification_id]
    if outcome.retry:
        raise TransientDeliveryError(outcome.error)
    return outcome.status


def notifications_send_batch(*, notification_ids: list[int]) -> dict[int, SendOutcome]:
    """The batch task's work: send the rows, then give each row that failed transiently, or
    was not tried, to the single-row task, which retries it with backoff and finally marks it
    "failed", as if it had been queued alone."""
    outcomes = notifications_send(notification_ids=notification_ids)
    later = [(pk, 1) for pk, o in outcomes.items() if o.retry] + [(pk, 0) for pk, o in outcomes.items() if o.deferred]
    if later:
        _send_later(later)
    return outcomes


def _send_later(rows: list[tuple[int, int]]) -> None:
    """Queue ``(id, retries already used)`` pairs on the single-row task, each after the
    backoff Celery's own retry would have waited."""
    from portal.notifications.tasks import send_notification

    if _eager():
        for pk, retries in rows:
            try:
                send_notification.apply(args=[pk], retries=retries, throw=False)
            except Exception:
                logger.warning("notifications: %s not sent inline; the sweep retries it", pk, exc_info=True)
        return
    jobs = []
    for pk, retries in rows:
        countdown = get_exponential_backoff_interval(
            factor=send_notification.retry_backoff,
            retries=max(retries - 1, 0),
            maximum=send_notification.retry_backoff_max,
            full_jitter=send_notification.retry_jitter,
        )
        jobs.append(([pk], [pk], {"countdown": countdown, "retries": retries}))
    _publish(send_notification, jobs, what="notification retries")


def notification_resend(*, notification: Notification) -> Notification:
    """Send the same message again as a new row (the old row stays as it was, for the log)."""
    if notification.channel == Channel.SITE:
        raise ValueError("Notifications on the portal are not re-sent.")
    with transaction.atomic():
        copy = Notification.objects.create(
            recipient_id=notification.recipient_id,
            channel=notification.channel,
            event=notification.event,
            language=notification.language,
            subject=notification.subject,
            body_text=notification.body_text,
            body_html=notification.body_html,
            to_address=notification.to_address,
            related_type=notification.related_type,
            related_id=notification.related_id,
        )
        transaction.on_commit(partial(enqueue_notifications, [copy.pk]))
    return copy


def notifications_requeue_stuck(*, older_than: timedelta, limit: int = 1000) -> int:
    """The sweep of message rows: queue again rows still queued and untouched for
    ``older_than`` (their task was never queued, e.g. Redis was down at commit, or was
    lost). Touching ``updated_at`` keeps the next sweep from queuing them again straight
    away."""
    cutoff = timezone.now() - older_than
    ids = list(
        Notification.objects.filter(status=Status.QUEUED, updated_at__lte=cutoff)
        .exclude(channel=Channel.SITE)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, status=Status.QUEUED).update(updated_at=timezone.now())
    queued = enqueue_notifications(ids)
    logger.info("notifications: sweep re-queued %s of %s stuck notifications", queued, len(ids))
    return queued


# --- Citizen's list ----------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's own portal notifications read; False if not theirs."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, channel=Channel.SITE, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, channel=Channel.SITE, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Periodic jobs over dossiers ---------------------------------------------------------


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """``days`` working days after ``start``: weekends and Vietnamese public holidays
    (Tết included) do not count. The dossier app's calendar (with the province's declared
    make-up days) is used when installed; this module must not require it."""
    try:
        calendar_add = import_string("applications.calendar.add_working_days")
    except ImportError:
        calendar_add = None
    if calendar_add is not None:
        return calendar_add(start, days)
    import holidays

    vn_holidays = holidays.country_holidays("VN", years=range(start.year, start.year + 2))
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in vn_holidays:
            left -= 1
    return current


def _date_lookup(model: type[models.Model], lookup: str, day: datetime.date) -> dict[str, Any]:
    """``appointment_date <lookup> day`` whether the field is a DateField or a DateTimeField."""
    field = model._meta.get_field("appointment_date")
    if isinstance(field, models.DateTimeField):
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        if lookup == "lte":
            return {"appointment_date__lt": start + timedelta(days=1)}
        return {f"appointment_date__{lookup}": start}
    return {f"appointment_date__{lookup}": day}


def _admin_url(dossier: models.Model | None = None) -> str:
    try:
        if dossier is not None:
            meta = dossier._meta
            return _absolute(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[dossier.pk]))
        return _absolute(reverse("admin:index"))
    except NoReverseMatch:
        return _absolute("/" + settings.ADMIN_URL)


def digest_groups(dossiers: Iterable[Any], *, today: datetime.date) -> dict[Any, list[dict[str, Any]]]:
    """Dossiers grouped by agency id, as the rows of the digest."""
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for dossier in dossiers:
        due = _as_date(dossier.appointment_date)
        groups[dossier.agency_id].append(
            {
                "code": getattr(dossier, "code", "") or str(dossier.pk),
                "procedure_name": getattr(getattr(dossier, "procedure", None), "name", ""),
                "appointment_date": due,
                "overdue": due is not None and due < today,
            }
        )
    for rows in groups.values():
        rows.sort(key=lambda row: (row["appointment_date"] or today, row["code"]))
    return groups


def officials_send_due_soon_digest(*, today: datetime.date | None = None) -> int:
    """Each official of an agency with open dossiers due within
    ``NOTIFICATIONS_DUE_SOON_DAYS`` gets one digest a day (e-mail and portal). Returns the
    number of officials notified; 0 when the dossier app has no Dossier/Official yet."""
    dossier_model = _model("applications", "Dossier")
    official_model = _model("applications", "Official")
    if dossier_model is None or official_model is None:
        logger.info("notifications: digest skipped, applications.Dossier/Official not installed")
        return 0
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.NOTIFICATIONS_DUE_SOON_DAYS)
    dossiers = (
        dossier_model.objects.filter(state__in=OPEN_DOSSIER_STATES, **_date_lookup(dossier_model, "lte", horizon))
        .select_related(*_relations(dossier_model, ("procedure",)))
        .order_by("appointment_date")
    )
    groups = digest_groups(dossiers, today=today)
    if not groups:
        return 0
    sent = 0
    officials = official_model.objects.filter(agency_id__in=list(groups), user__is_active=True).select_related(
        "user", "agency"
    )
    day_key = ("digest", today.isoformat())
    for official in officials:
        rows = groups[official.agency_id]
        with transaction.atomic():
            # One digest a day even if beat fires twice: the day is the related key.
            already = Notification.objects.filter(
                recipient=official.user,
                event=Event.OFFICIAL_DUE_SOON_DIGEST,
                related_type=day_key[0],
                related_id=day_key[1],
            ).exists()
            if already:
                continue
            notification_queue(
                recipient=official.user,
                event=Event.OFFICIAL_DUE_SOON_DIGEST,
                context={
                    "official_name": official.user.get_full_name(),
                    "agency_name": getattr(official.agency, "name", ""),
                    "count": len(rows),
                    "dossiers": rows,
                    "horizon": horizon,
                    "admin_url": _admin_url(),
                },
                channels=[Channel.EMAIL, Channel.SITE],
                related_object=day_key,
            )
            sent += 1
    return sent


def dossiers_flag_overdue(*, today: datetime.date | None = None) -> int:
    """Record each dossier past its appointment date (states submitted/validated: a
    supplement request stops the clock) once per missed date, send the citizen the
    apology with a new date (``NOTIFICATIONS_OVERDUE_EXTENSION_DAYS`` working days on) and
    alert the agency's officials. Returns the number of dossiers newly flagged."""
    dossier_model = _model("applications", "Dossier")
    if dossier_model is None:
        logger.info("notifications: overdue flagging skipped, applications.Dossier not installed")
        return 0
    official_model = _model("applications", "Official")
    today = today or timezone.localdate()
    new_date = add_working_days(today, settings.NOTIFICATIONS_OVERDUE_EXTENSION_DAYS)
    overdue = dossier_model.objects.filter(
        state__in=OVERDUE_DOSSIER_STATES, **_date_lookup(dossier_model, "lt", today)
    ).select_related(*_relations(dossier_model, ("citizen", "procedure", "agency")))
    flagged = 0
    for dossier in list(overdue):
        missed = _as_date(dossier.appointment_date)
        with transaction.atomic():
            _notice, created = OverdueNotice.objects.get_or_create(
                dossier_id=dossier.pk, missed_date=missed, defaults={"new_date": new_date}
            )
            if not created:
                continue
            context = {**dossier_context(dossier), "missed_date": missed, "new_appointment_date": new_date}
            notification_queue(
                recipient=dossier.citizen,
                event=Event.DOSSIER_OVERDUE_APOLOGY,
                context=context,
                related_object=dossier,
            )
            if official_model is not None:
                officials = official_model.objects.filter(
                    agency_id=getattr(dossier, "agency_id", None), user__is_active=True
                ).select_related("user")
                for official in officials:
                    notification_queue(
                        recipient=official.user,
                        event=Event.OFFICIAL_OVERDUE_ALERT,
                        context={
                            **context,
                            "official_name": official.user.get_full_name(),
                            "admin_url": _admin_url(dossier),
                        },
                        channels=[Channel.EMAIL, Channel.SITE],
                        related_object=dossier,
                    )
            flagged += 1
    return flagged
