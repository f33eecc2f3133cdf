"""Every change to a dossier goes through one of these functions.

Each one opens a transaction, locks the dossier row (``SELECT ... FOR UPDATE``: a second
official pressing the same button waits, then finds the state changed and gets a
``DossierTransitionError``), checks the actor, checks the transition, saves with
``update_fields``, writes one ``DossierEvent`` and, in the same transaction, the outbox row
of its notification (``applications.events``).

``actor=None`` means the system (a payment callback or the carrier's webhook, which other
apps authenticate before calling); it is accepted only where said below.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from applications import calendar
from applications.constants import DeliveryChannel, DossierEventName, DossierState, Rating
from applications.events import dossier_event_recorded
from applications.models import (
    Dossier,
    DossierCodeSequence,
    DossierEvent,
    DossierPaper,
    PersonalDocument,
)
from applications.uploads import CheckedUpload, check_upload
from portal.validators import normalize_phone, normalize_text
from procedures.constants import Channel, OnlineLevel, TimeUnit
from procedures.models import Agency, Fee, Procedure, ProcedureChannel, RequiredDocument

DEFAULT_PROCESSING_DAYS = 10
APPLICANT_FIELDS = (
    "applicant_name",
    "applicant_citizen_id",
    "applicant_date_of_birth",
    "applicant_phone",
    "applicant_address",
    "applicant_email",
)


class DossierError(Exception):
    """A refusal with a message fit for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DossierTransitionError(DossierError):
    """The dossier is not in a state (or condition) that allows the action."""


class DossierPermissionDenied(DossierError):
    """The actor may not act on this dossier (views turn it into a 404)."""


class DossierNotDraft(DossierTransitionError):
    """Submission of a dossier that is already submitted (or withdrawn)."""


class DossierNotEditable(DossierTransitionError):
    """Papers added to a dossier that is neither a draft nor waiting for more papers."""


class DossierIncomplete(DossierTransitionError):
    def __init__(self, message: str, missing: list[RequiredDocument] | None = None):
        super().__init__(message)
        self.missing = missing or []


# --- Helpers -----------------------------------------------------------------------------


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency", "citizen")
        .get(pk=dossier.pk)
    )


# What the citizen's two hot actions read of the locked row (building the statement for all
# 38 columns cost more than the round trip): the state (the mixin's concurrency check), the
# owner, the ids, the public id (the upload's path), the code (its display) and, for
# submission, the applicant fields its guard checks. Any other field still loads on access.
_ACTION_FIELDS = ("state", "citizen_id", "procedure_id", "agency_id", "public_id", "code")
_SUBMIT_FIELDS = (*_ACTION_FIELDS, "applicant_name", "applicant_citizen_id", "applicant_phone", "applicant_address")


def _lock_own(qs, dossier: Dossier, actor) -> Dossier:
    """The actor's own dossier, locked, found by its public id: a view can pass the dossier
    its URL names without reading it first, this read being the ownership check."""
    if actor is None or not actor.is_authenticated:
        raise DossierPermissionDenied(_("You may not act on this dossier."))
    try:
        return qs.select_for_update(of=("self",)).get(public_id=dossier.public_id, citizen_id=actor.pk)
    except Dossier.DoesNotExist as exc:
        raise DossierPermissionDenied(_("You may not act on this dossier.")) from exc


def _save(dossier: Dossier, *, update_fields: list[str]) -> None:
    # The row lock makes this rare; the mixin's state check catches what a lock cannot
    # (SQLite, or a caller that skipped ``_lock``).
    try:
        dossier.save(update_fields=update_fields)
    except ConcurrentTransition as exc:
        raise DossierTransitionError(_("Someone else changed this dossier just now: reload it.")) from exc


def _state_label(dossier: Dossier) -> str:
    return str(DossierState(dossier.state).label)


def _check(dossier: Dossier, name: str, actor, *, system_allowed: bool = False, guard_message: str = "") -> str:
    """Refuse the transition with a message fit for the user, or return the state it leaves
    (for the event row)."""
    method = getattr(dossier, name)
    if not can_proceed(method, check_conditions=False):
        raise DossierTransitionError(
            _("This action is not possible: the dossier %(code)s is now “%(state)s”.")
            % {"code": dossier, "state": _state_label(dossier)}
        )
    if not can_proceed(method):
        raise DossierTransitionError(guard_message or _("This action is not possible yet."))
    # has_transition_perm re-checks the state and the guards, then the permission function.
    if not (actor is None and system_allowed) and not has_transition_perm(method, actor):
        raise DossierPermissionDenied(_("You may not act on this dossier."))
    return dossier.state


def _record(
    dossier: Dossier, *, actor, action: str, from_state: str, note: str = "", notify: bool = True
) -> DossierEvent:
    event = DossierEvent.objects.create(
        dossier=dossier,
        actor=actor,
        at=timezone.now(),
        action=action,
        from_state=from_state,
        to_state=dossier.state,
        note=note,
    )
    if notify:
        dossier_event_recorded(dossier.pk, action)
    return event


def _require_owner(dossier: Dossier, actor) -> None:
    if actor is None or dossier.citizen_id != actor.pk:
        raise DossierPermissionDenied(_("You may not act on this dossier."))


def _online_time(procedure_id) -> object:
    """The online channel's time when stated in working days (the first in the catalogue's
    order that states one), or None. Ordered here: the model's default ordering would join
    the procedure again to sort by it."""
    times = (
        ProcedureChannel.objects.filter(
            procedure_id=procedure_id, channel=Channel.ONLINE, time_unit=TimeUnit.WORKING_DAYS
        )
        .order_by("order", "pk")
        .values_list("time_value", flat=True)
    )
    return next((time for time in times if time), None)


def _working_days(online_time, summary_days) -> int:
    if online_time:
        return max(1, math.ceil(online_time))
    if summary_days:
        return max(1, math.ceil(summary_days))
    return int(getattr(settings, "DOSSIER_DEFAULT_PROCESSING_DAYS", DEFAULT_PROCESSING_DAYS))


def procedure_processing_days(procedure: Procedure) -> int:
    """Working days allowed: the online channel's time when stated in working days, else the summary."""
    return _working_days(_online_time(procedure.pk), procedure.processing_days)


def procedure_online_fee(procedure: Procedure) -> int:
    """The fee in đồng for an online dossier, fixed at submission.

    Fee lines tied to the online channel win over the general ones. Lines without a
    condition add up (a fee plus a charge); when every line has a condition (alternatives
    such as "first issue / re-issue") the lowest applies and officials settle any difference.
    """
    return _online_fee(procedure.pk)


def _online_fee(procedure_id) -> int:
    # (amount, condition, channel id, channel kind): the sum or minimum does not depend on order.
    fees = list(
        Fee.objects.filter(procedure_id=procedure_id, amount__isnull=False)
        .order_by()
        .values_list("amount", "condition", "channel_id", "channel__channel")
    )
    online = [f for f in fees if f[3] == Channel.ONLINE]
    lines = online or [f for f in fees if f[2] is None] or fees
    if not lines:
        return 0
    unconditional = [amount for amount, condition, _id, _kind in lines if not condition.strip()]
    return int(sum(unconditional) if unconditional else min(f[0] for f in lines))


def missing_papers(dossier: Dossier) -> list[RequiredDocument]:
    """Required papers without an upload. When the catalogue lists papers per case
    ("Trường hợp cấp mới" / "cấp lại"), completing one case is enough."""
    # One query: the required papers, each marked with whether this dossier has a file for it.
    documents = list(
        RequiredDocument.objects.filter(procedure_id=dossier.procedure_id, is_required=True)
        .annotate(
            supplied=Exists(DossierPaper.objects.filter(dossier_id=dossier.pk, required_document_id=OuterRef("pk")))
        )
        .order_by("order", "pk")
    )
    missing_common = [d for d in documents if not d.group and not d.supplied]
    groups: dict[str, list[RequiredDocument]] = {}
    for d in documents:
        if d.group:
            groups.setdefault(d.group, []).append(d)
    if not groups:
        return missing_common
    best = min(groups.values(), key=lambda docs: sum(not d.supplied for d in docs))
    return missing_common + [d for d in best if not d.supplied]


def _store_file(field_file, name: str, content) -> None:
    # Files are written outside the transaction's control: an orphan file after a rollback is
    # harmless (it has a random name and no row points to it), a lost one would not be.
    field_file.save(name, content, save=False)


# --- Drafts ------------------------------------------------------------------------------


def dossier_create_draft(*, citizen, procedure: Procedure, agency: Agency | None = None) -> Dossier:
    if not procedure.is_active or procedure.online_level not in (OnlineLevel.PARTIAL, OnlineLevel.FULL):
        raise DossierError(_("This procedure cannot be done online."))
    agencies = procedure.agencies.filter(is_active=True)
    if agency is None:
        agency = agencies.first()
    elif not agencies.filter(pk=agency.pk).exists():
        agency = None
    if agency is None:
        raise DossierError(_("No agency receives this procedure online yet."))
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            agency=agency,
            citizen=citizen,
            applicant_name=citizen.full_name,
            applicant_citizen_id=citizen.citizen_id,
            applicant_date_of_birth=citizen.date_of_birth,
            applicant_phone=citizen.phone,
            applicant_address=citizen.address,
            applicant_email=citizen.email,
        )
        _record(dossier, actor=citizen, action=DossierEventName.CREATED, from_state="", notify=False)
    return dossier


def dossier_update_applicant(*, dossier: Dossier, actor, data: dict) -> Dossier:
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_owner(dossier, actor)
        if not dossier.is_editable:
            raise DossierTransitionError(_("A submitted dossier can no longer be edited."))
        cleaned = dict(data)
        for name in ("applicant_name", "applicant_address"):
            if name in cleaned:
                cleaned[name] = normalize_text(cleaned[name])
        if cleaned.get("applicant_phone"):
            try:
                cleaned["applicant_phone"] = normalize_phone(cleaned["applicant_phone"])
            except ValidationError as exc:
                raise DossierError(exc.messages[0]) from exc
        changed = [n for n in APPLICANT_FIELDS if n in cleaned and getattr(dossier, n) != cleaned[n]]
        for name in changed:
            setattr(dossier, name, cleaned[name])
        if changed:
            _save(dossier, update_fields=[*changed, "updated_at"])
    return dossier


def dossier_attach_paper(
    *,
    dossier: Dossier,
    actor,
    uploaded: File | None = None,
    personal_document: PersonalDocument | None = None,
    required_document: RequiredDocument | None = None,
    title: str = "",
    keep_in_store: bool = False,
) -> DossierPaper:
    """Attach a file (a fresh upload or a copy from the citizen's store) to a draft, or to a
    dossier waiting for more papers (then it is marked as a supplement). Only the public id of
    ``dossier`` is used: the dossier is read here, locked, and only if it is the actor's."""
    if (uploaded is None) == (personal_document is None):
        raise DossierError(_("Choose a file to upload or a document from your store."))
    with transaction.atomic():
        dossier = _lock_own(Dossier.objects.only(*_ACTION_FIELDS), dossier, actor)
        if dossier.state not in (DossierState.DRAFT, DossierState.NEEDS_SUPPLEMENT):
            raise DossierNotEditable(_("Papers can be added only to a draft or when more papers are requested."))
        if required_document is not None and required_document.procedure_id != dossier.procedure_id:
            raise DossierError(_("This paper does not belong to the procedure."))
        if personal_document is not None:
            if personal_document.owner_id != actor.pk:
                raise DossierPermissionDenied(_("You may not use this document."))
            with personal_document.file.open("rb") as source:
                content = ContentFile(source.read(), name=personal_document.original_name)
            checked = check_upload(content)
        else:
            try:
                checked = check_upload(uploaded)
            except ValidationError as exc:
                raise DossierError(exc.messages[0]) from exc
            content = uploaded
        title = normalize_text(title) or (required_document.name[:300] if required_document else checked.original_name)
        is_supplement = dossier.state == DossierState.NEEDS_SUPPLEMENT
        if not is_supplement and required_document is not None:
            # In a draft a new file replaces the previous one for the same paper.
            replaced = list(
                DossierPaper.objects.filter(dossier=dossier, required_document=required_document)
                .order_by()
                .values_list("pk", "file")
            )
            if replaced:
                DossierPaper.objects.filter(pk__in=[pk for pk, _name in replaced]).delete()
                storage = DossierPaper._meta.get_field("file").storage
                for _pk, name in replaced:
                    transaction.on_commit(partial(storage.delete, name))
        paper = DossierPaper(
            dossier=dossier,
            required_document=required_document,
            title=title,
            uploaded_by=actor,
            is_supplement=is_supplement,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
            sha256=checked.sha256,
        )
        _store_file(paper.file, checked.server_name(), content)
        paper.save()
        if keep_in_store and personal_document is None:
            document_store(owner=actor, uploaded=content, title=title, checked=checked)
        _save(dossier, update_fields=["updated_at"])
    return paper


def dossier_remove_paper(*, paper: DossierPaper, actor) -> None:
    with transaction.atomic():
        dossier = _lock(paper.dossier)
        _require_owner(dossier, actor)
        if not dossier.is_editable:
            raise DossierTransitionError(_("A submitted dossier can no longer be edited."))
        stored = paper.file
        paper.delete()
        transaction.on_commit(partial(stored.storage.delete, stored.name))


def document_store(*, owner, uploaded: File, title: str, checked: CheckedUpload | None = None) -> PersonalDocument:
    """Keep a copy of a paper in the citizen's personal store (``checked``: the caller has
    already validated these very bytes)."""
    if checked is None:
        try:
            checked = check_upload(uploaded)
        except ValidationError as exc:
            raise DossierError(exc.messages[0]) from exc
    document = PersonalDocument(
        owner=owner,
        title=normalize_text(title)[:300] or checked.original_name,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
    )
    # Copied in chunks through a plain File: the upload may already have been stored once (a
    # temporary file is moved, not copied, by the file system storage: it is read through its
    # open handle here).
    _store_file(document.file, checked.server_name(), File(uploaded))
    document.save()
    return document


# --- Citizen transitions -----------------------------------------------------------------


def _next_code(*, agency_id: int, agency_code: str, day) -> str:
    """The agency's next number of the day, in one statement: the day's first dossier inserts
    the counter, later ones increment it (PostgreSQL and SQLite both have ``ON CONFLICT ... DO
    UPDATE ... RETURNING``). The row stays locked until the transaction ends, so concurrent
    submissions to one agency take their numbers in turn, and a rolled-back submission gives
    its number back: the codes have no gaps and no duplicates."""
    meta = DossierCodeSequence._meta
    qn = connection.ops.quote_name
    table, agency_col, day_col, last_col = (
        qn(meta.db_table),
        qn(meta.get_field("agency").column),
        qn(meta.get_field("day").column),
        qn(meta.get_field("last").column),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({agency_col}, {day_col}, {last_col}) VALUES (%s, %s, 1) "  # noqa: S608 - names from the model
            f"ON CONFLICT ({agency_col}, {day_col}) DO UPDATE SET {last_col} = {table}.{last_col} + 1 "
            f"RETURNING {last_col}",
            [agency_id, connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{agency_code}-{day:%y%m%d}-{last:04d}"


def _lock_for_submit(dossier: Dossier, actor) -> Dossier:
    """The actor's own dossier locked, with the two values submission reads of its agency and
    procedure as columns of the same statement rather than their whole rows. (The online
    channel's time is a query of its own: as a subquery here it cost more to build than it
    saved.)"""
    qs = Dossier.objects.only(*_SUBMIT_FIELDS).annotate(
        agency_code=F("agency__code"), summary_days=F("procedure__processing_days")
    )
    return _lock_own(qs, dossier, actor)


def dossier_submit(*, dossier: Dossier, actor) -> Dossier:
    """Submit a draft: the code, the appointment date and the fee are fixed here.

    A second submit of the same dossier (double click, two devices) waits for the lock,
    then finds it submitted and raises ``DossierNotDraft``: one code only. Only the public id
    of ``dossier`` is used: the dossier is read here, locked, and only if it is the actor's."""
    with transaction.atomic():
        # The citizen is not read: the permission compares ids, the notification loads its own.
        dossier = _lock_for_submit(dossier, actor)
        if dossier.state != DossierState.DRAFT:
            raise DossierNotDraft(
                _("This action is not possible: the dossier %(code)s is now “%(state)s”.")
                % {"code": dossier, "state": _state_label(dossier)}
            )
        from_state = _check(
            dossier,
            "submit",
            actor,
            guard_message=_("Fill in the applicant's name, citizen ID, phone and address first."),
        )
        missing = missing_papers(dossier)
        if missing:
            raise DossierIncomplete(
                _("Some required papers are missing: %(papers)s.")
                % {"papers": "; ".join(d.name[:80] for d in missing)},
                missing,
            )
        now = timezone.now()
        days = _working_days(_online_time(dossier.procedure_id), dossier.summary_days)
        cal = calendar.WorkingCalendar.around(timezone.localdate(now), days)
        start = cal.effective_receipt_date(now)
        fee_amount = _online_fee(dossier.procedure_id)
        # The code last: its counter row stays locked until commit, and every submission to
        # the agency that day waits for it.
        code = _next_code(agency_id=dossier.agency_id, agency_code=dossier.agency_code, day=timezone.localdate(now))
        dossier.submit(
            code=code,
            at=now,
            processing_days=days,
            clock_started_on=start,
            appointment_date=cal.add_working_days(start, days),
            fee_amount=fee_amount,
            lookup_pin=f"{secrets.randbelow(10**6):06d}",
        )
        _save(
            dossier,
            update_fields=[
                "state",
                "code",
                "submitted_at",
                "received_at",
                "processing_days",
                "clock_started_on",
                "working_days_used",
                "appointment_date",
                "fee_amount",
                "lookup_pin",
                "updated_at",
            ],
        )
        _record(dossier, actor=actor, action=DossierEventName.SUBMITTED, from_state=from_state)
    return dossier


def dossier_resubmit(*, dossier: Dossier, actor, note: str = "") -> Dossier:
    """The complete dossier is back: the clock restarts with the working days left."""
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(dossier, "resubmit", actor)
        if not dossier.papers.filter(is_supplement=True, created_at__gte=dossier.paused_at).exists():
            raise DossierIncomplete(_("Upload the papers that were requested before sending the dossier back."))
        now = timezone.now()
        # At least one working day: the officials need time to look at the completed dossier.
        remaining = max((dossier.processing_days or 0) - dossier.working_days_used, 1)
        cal = calendar.WorkingCalendar.around(timezone.localdate(now), remaining)
        start = cal.effective_receipt_date(now)
        dossier.resubmit(at=now, clock_started_on=start, appointment_date=cal.add_working_days(start, remaining))
        _save(
            dossier,
            update_fields=["state", "paused_at", "received_at", "clock_started_on", "appointment_date", "updated_at"],
        )
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.RESUBMITTED,
            from_state=from_state,
            note=normalize_text(note),
        )
    return dossier


def dossier_withdraw(*, dossier: Dossier, actor, note: str = "") -> Dossier:
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(dossier, "withdraw", actor)
        dossier.withdraw(at=timezone.now())
        _save(dossier, update_fields=["state", "paused_at", "closed_at", "updated_at"])
        # A draft was never seen by anybody: nothing to notify.
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.WITHDRAWN,
            from_state=from_state,
            note=normalize_text(note),
            notify=from_state != DossierState.DRAFT,
        )
    return dossier


def dossier_rate(*, dossier: Dossier, actor, rating: str, comment: str = "") -> Dossier:
    if rating not in Rating.values:
        raise DossierError(_("Choose one of the ratings."))
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_owner(dossier, actor)
        if dossier.state != DossierState.DELIVERED:
            raise DossierTransitionError(_("You can rate the service once the result has been delivered."))
        if dossier.rating:
            raise DossierTransitionError(_("You have already rated this dossier."))
        dossier.rating = rating
        dossier.rating_comment = normalize_text(comment)[:2000]
        dossier.rated_at = timezone.now()
        _save(dossier, update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.RATED,
            from_state=dossier.state,
            note=str(Rating(rating).label),
            notify=False,
        )
    return dossier


# --- Officials' transitions --------------------------------------------------------------


def dossier_validate(*, dossier: Dossier, actor, note: str = "") -> Dossier:
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(dossier, "validate", actor)
        dossier.validate(at=timezone.now())
        _save(dossier, update_fields=["state", "validated_at", "updated_at"])
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.VALIDATED,
            from_state=from_state,
            note=note.strip(),
        )
    return dossier


def dossier_request_supplement(*, dossier: Dossier, actor, request_text: str) -> Dossier:
    """Ask for more papers: the clock stops, the working days used so far are kept."""
    request_text = (request_text or "").strip()
    if not request_text:
        raise DossierError(_("Say which papers are missing."))
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(dossier, "request_supplement", actor)
        now = timezone.now()
        used = dossier.working_days_used
        if dossier.clock_started_on:
            used += calendar.working_days_between(dossier.clock_started_on, timezone.localdate(now))
        dossier.request_supplement(at=now, request_text=request_text, working_days_used=used)
        _save(dossier, update_fields=["state", "supplement_request", "paused_at", "working_days_used", "updated_at"])
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.SUPPLEMENT_REQUESTED,
            from_state=from_state,
            note=request_text,
        )
    return dossier


def dossier_reject(*, dossier: Dossier, actor, reason: str) -> Dossier:
    reason = (reason or "").strip()
    if not reason:
        raise DossierError(_("Give the reason for the rejection: the citizen will read it."))
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(dossier, "reject", actor)
        dossier.reject(at=timezone.now(), reason=reason)
        _save(dossier, update_fields=["state", "rejection_reason", "paused_at", "closed_at", "updated_at"])
        _record(dossier, actor=actor, action=DossierEventName.REJECTED, from_state=from_state, note=reason)
    return dossier


def dossier_process(*, dossier: Dossier, actor, result_file: File | None = None, note: str = "") -> Dossier:
    """The result is ready (with its electronic document when there is one)."""
    checked = None
    if result_file is not None:
        try:
            checked = check_upload(result_file)
        except ValidationError as exc:
            raise DossierError(exc.messages[0]) from exc
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(dossier, "process", actor, guard_message=_("The fee has not been paid yet."))
        dossier.process(at=timezone.now(), result_note=note.strip())
        fields = ["state", "processed_at", "result_note", "updated_at"]
        if checked is not None:
            _store_file(dossier.result_file, checked.server_name(), result_file)
            fields.append("result_file")
        _save(dossier, update_fields=fields)
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.PROCESSED,
            from_state=from_state,
            note=note.strip(),
        )
    return dossier


def dossier_deliver(*, dossier: Dossier, actor, channel: str = DeliveryChannel.COUNTER, note: str = "") -> Dossier:
    """Hand over the result. ``actor=None`` (the system) is accepted for ``channel="post"``:
    the delivery app calls this when the carrier reports the result delivered."""
    if channel not in DeliveryChannel.values:
        raise DossierError(_("Unknown delivery channel."))
    with transaction.atomic():
        dossier = _lock(dossier)
        from_state = _check(
            dossier,
            "deliver",
            actor,
            system_allowed=channel == DeliveryChannel.POST,
            guard_message=_("The result is not ready yet."),
        )
        dossier.deliver(at=timezone.now(), channel=channel)
        _save(dossier, update_fields=["state", "delivered_at", "delivery_channel", "closed_at", "updated_at"])
        _record(
            dossier,
            actor=actor,
            action=DossierEventName.DELIVERED,
            from_state=from_state,
            note=note.strip(),
        )
    return dossier


# --- Called by the payments app ----------------------------------------------------------

FEE_PAYABLE_STATES: Iterable[str] = (DossierState.SUBMITTED, DossierState.NEEDS_SUPPLEMENT, DossierState.VALIDATED)


def dossier_mark_fee_settled(*, dossier: Dossier, reference: str) -> Dossier:
    """Record that the fee is paid (the payments app calls this after verifying the gateway).

    Idempotent: a second call for a settled dossier changes nothing. A payment for a dossier
    that is not submitted, or already closed, is refused so that the caller can refund it."""
    with transaction.atomic():
        dossier = _lock(dossier)
        if dossier.fee_settled:
            return dossier
        if dossier.state not in FEE_PAYABLE_STATES:
            raise DossierTransitionError(
                _("No fee can be paid for the dossier %(code)s in the status “%(state)s”.")
                % {"code": dossier, "state": _state_label(dossier)}
            )
        dossier.fee_settled = True
        dossier.fee_reference = reference[:100]
        _save(dossier, update_fields=["fee_settled", "fee_reference", "updated_at"])
        _record(
            dossier,
            actor=None,
            action=DossierEventName.FEE_SETTLED,
            from_state=dossier.state,
            note=reference,
            notify=False,
        )
    return dossier
