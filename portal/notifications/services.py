"""Notifications: the outbox rows, their sending, and the periodic jobs.

Callers in other apps use two functions:

- ``notification_queue(recipient=..., event=..., context=...)`` inside their own
  transaction: rows are written with the event, send tasks are queued on commit.
- ``notify_dossier_event(dossier_id=..., event=...)`` registered with
  ``transaction.on_commit`` by the dossier, payment and delivery services.

"Nothing lost": a row is the message. If Redis is down when the transaction commits, the
``.delay()`` fails, is logged, and the row stays queued; ``notifications_requeue_stuck``
(Celery beat) queues it again later. Sending is idempotent, so a duplicate task is harmless.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.models import User
from portal.notifications.channels import deliver
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
from portal.notifications.models import Notification, NotificationPreference, OverdueNotice
from portal.notifications.rendering import render, template_for
from portal.notifications.sms import FAILED, SENT

logger = logging.getLogger(__name__)


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
    if event not in Event.values:
        raise ValueError(f"unknown notification event {event!r}")
    preference = preference_for(user=recipient)
    language = preference.language
    full_context = {
        "citizen_name": recipient.get_full_name(),
        "portal_name": settings.PORTAL_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    related_type, related_id = _related_key(related_object)
    now = timezone.now()
    created: list[Notification] = []
    with transaction.atomic():
        for channel in _channels_for(recipient, preference, channels):
            found = template_for(event=event, channel=channel, language=language)
            if found is None:
                continue
            try:
                rendered = render(
                    subject=found[0], body=found[1], channel=channel, language=language, context=full_context
                )
            except Exception:
                # An operator's edit must not cost the citizen the message: use the shipped wording.
                fallback = default_template(event, channel, language) or default_template(event, channel, "vi")
                if fallback is None:
                    raise
                logger.exception(
                    "notifications: template %s/%s/%s failed; shipped default used", event, channel, language
                )
                rendered = render(
                    subject=fallback[0], body=fallback[1], channel=channel, language=language, context=full_context
                )
            site = channel == Channel.SITE
            created.append(
                Notification.objects.create(
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
        to_send = [n.pk for n in created if n.status == Status.QUEUED]
        if to_send:
            transaction.on_commit(partial(enqueue_notifications, to_send))
    return created


def enqueue_notifications(notification_ids: list[int]) -> int:
    """Hand the ids to Celery; runs after commit. Returns how many were handed over.

    A broker outage must not turn a saved dossier into an error page: the failure is logged
    and the rows stay queued for the sweep. The first failure stops the loop (the broker is
    down for the others too)."""
    from portal.notifications.tasks import send_notification

    if send_notification.app.conf.task_always_eager:
        # Embedded mode (no Redis): send inline; a provider error retries inline and ends
        # recorded on the row instead of surfacing in the caller's request.
        for notification_id in notification_ids:
            try:
                send_notification.apply(args=[notification_id], throw=False)
            except Exception:
                logger.warning(
                    "notifications: %s not sent inline; the sweep retries it", notification_id, exc_info=True
                )
        return len(notification_ids)
    done = 0
    try:
        # One pooled connection, tried once without kombu's default reconnect loop (about
        # 6 s of sleeps against a dead port, 19 s more if results went to Redis): a broker
        # outage costs the request a refused connection, not a hang.
        with send_notification.app.pool.acquire(block=True) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            for notification_id in notification_ids:
                send_notification.apply_async(args=[notification_id], connection=connection, retry=False)
                done += 1
    except Exception:
        logger.warning(
            "notifications: could not queue %s of %s (ids %s…); the outbox sweep will send them",
            len(notification_ids) - done,
            len(notification_ids),
            notification_ids[done],
            exc_info=True,
        )
    return done


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


def notify_dossier_event(*, dossier_id: int, event: str, extra: dict[str, Any] | None = None) -> list[Notification]:
    """Notify the dossier's citizen of ``event`` (a key of ``DOSSIER_EVENTS``: submitted,
    validated, supplement_requested, resubmitted, rejected, processed, delivered, withdrawn,
    overdue, fee_due, payment_received, shipment_dispatched, shipment_delivered,
    shipment_returned). ``extra`` adds template variables (receipt_number, tracking_number…).

    Registered with ``transaction.on_commit`` by the calling service, so it runs after the
    event's transaction: the rows are written in a transaction of their own and their
    send tasks are queued when that one commits."""
    if event in SILENT_DOSSIER_EVENTS:
        return []
    notification_event = DOSSIER_EVENTS.get(event)
    if notification_event is None:
        # Runs after the caller's commit: raising would turn a saved dossier into an error page.
        logger.error("notifications: unknown dossier event %r for dossier %s", event, dossier_id)
        return []
    dossier_model = _model("applications", "Dossier")
    if dossier_model is None:
        logger.error("notifications: no applications.Dossier model; event %s of dossier %s dropped", event, dossier_id)
        return []
    with transaction.atomic():
        dossier = (
            dossier_model.objects.select_related(*_relations(dossier_model, ("citizen", "procedure", "agency")))
            .filter(pk=dossier_id)
            .first()
        )
        if dossier is None or getattr(dossier, "citizen", None) is None:
            logger.error("notifications: dossier %s not found (or no citizen) for event %s", dossier_id, event)
            return []
        context = {**dossier_context(dossier), **(extra or {})}
        if notification_event == Event.DOSSIER_OVERDUE_APOLOGY:
            context.setdefault("missed_date", context["appointment_date"])
            context.setdefault("new_appointment_date", context["appointment_date"])
        return notification_queue(
            recipient=dossier.citizen, event=notification_event, context=context, related_object=dossier
        )


# --- Sending -----------------------------------------------------------------------------


def notification_send(*, notification_id: int, final_attempt: bool = False) -> str:
    """Send one queued row once. Returns its status afterwards ("skipped" when another
    worker holds it right now).

    The row stays locked while the provider is called, so a duplicate task (a re-delivery
    under acks_late, the sweep, a resend click) either waits its turn and then sees "sent",
    or skips. A transient failure is recorded and committed, then raised for Celery's
    retry with backoff; on the last attempt it becomes "failed"."""
    retry_error: TransientDeliveryError | None = None
    with transaction.atomic():
        notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
        if notification is None:
            return "skipped"
        if notification.status != Status.QUEUED:
            return notification.status
        notification.attempts += 1
        result = deliver(notification)
        notification.provider_answer = result.answer
        if result.status == SENT:
            notification.status = Status.SENT
            notification.sent_at = timezone.now()
            notification.provider_message_id = result.message_id[:200]
            notification.last_error = ""
        elif result.status == FAILED or final_attempt:
            notification.status = Status.FAILED
            notification.last_error = result.error
        else:
            notification.last_error = result.error
            retry_error = TransientDeliveryError(result.error)
        notification.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "provider_message_id",
                "provider_answer",
                "last_error",
                "updated_at",
            ]
        )
    if retry_error is not None:
        raise retry_error
    return notification.status


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
    """The outbox sweep: queue again rows still queued and untouched for ``older_than``
    (their task was never queued, e.g. Redis was down at commit, or was lost). Touching
    ``updated_at`` keeps the next sweep from queuing them again straight away."""
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
