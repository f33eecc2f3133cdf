"""Dossiers (hồ sơ), their papers, the transition log and the officials who handle them.

A transition method only sets fields of its own row in memory; the services in
``applications/services.py`` lock the row, check the actor, call the transition, save and
write the event row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.constants import (
    CLOCK_RUNNING_STATES,
    CalendarExceptionKind,
    DeliveryChannel,
    DossierEventName,
    DossierState,
    Rating,
)

S = DossierState


def paper_upload_to(instance: DossierPaper, filename: str) -> str:
    # ``filename`` is already server-made by the service (a random token and the extension).
    return f"private/dossiers/{instance.dossier.public_id}/{filename}"


def result_upload_to(instance: Dossier, filename: str) -> str:
    return f"private/results/{instance.public_id}/{filename}"


def personal_upload_to(instance: PersonalDocument, filename: str) -> str:
    return f"private/personal/{instance.owner_id}/{filename}"


class CalendarExceptionQuerySet(models.QuerySet):
    """Bulk writes (the admin's "delete selected" among them) forget the cached calendar too."""

    def _forgetting(self, result):
        from applications.calendar import forget_exceptions

        forget_exceptions()
        return result

    def delete(self):
        return self._forgetting(super().delete())

    def update(self, **kwargs):
        return self._forgetting(super().update(**kwargs))

    def bulk_create(self, *args, **kwargs):
        return self._forgetting(super().bulk_create(*args, **kwargs))

    def bulk_update(self, *args, **kwargs):
        return self._forgetting(super().bulk_update(*args, **kwargs))


class CalendarException(models.Model):
    """A day that differs from the weekly rule and the statutory holidays.

    Submissions read these rows from the shared cache (``applications.calendar``): every write
    here forgets that copy."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarExceptionKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CalendarExceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        from applications.calendar import forget_exceptions

        super().save(*args, **kwargs)
        forget_exceptions()

    def delete(self, *args, **kwargs):
        from applications.calendar import forget_exceptions

        result = super().delete(*args, **kwargs)
        forget_exceptions()
        return result


class Official(models.Model):
    """An official (cán bộ) acts only for the agency of this row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official", verbose_name=_("user")
    )
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, related_name="officials", verbose_name=_("agency")
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["agency", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.agency.code})"


class DossierCodeSequence(models.Model):
    """The per-agency, per-day counter behind the dossier codes (locked while incremented)."""

    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dossier code sequence")
        verbose_name_plural = _("dossier code sequences")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="unique_code_sequence_per_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


# --- Guards and permissions of the transitions (pure functions) --------------------------


def applicant_is_complete(dossier: Dossier) -> bool:
    return bool(
        dossier.applicant_name
        and dossier.applicant_citizen_id
        and dossier.applicant_phone
        and dossier.applicant_address
    )


def fee_is_settled(dossier: Dossier) -> bool:
    return dossier.fee_amount == 0 or dossier.fee_settled


def result_is_ready(dossier: Dossier) -> bool:
    return dossier.processed_at is not None


def is_owner(dossier: Dossier, user) -> bool:
    return user is not None and user.is_authenticated and dossier.citizen_id == user.pk


def official_may(permission: str):
    """Permission check for officials' transitions: the Django permission and the agency."""

    def check(dossier: Dossier, user) -> bool:
        if user is None or not user.is_active or not user.is_staff or not user.has_perm(permission):
            return False
        if user.is_superuser:
            return True
        official = getattr(user, "official", None)
        return official is not None and official.is_active and official.agency_id == dossier.agency_id

    return check


class Dossier(ConcurrentTransitionMixin, models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("dossier code"), max_length=60, unique=True, null=True, blank=True, editable=False)
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("procedure")
    )
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("agency")
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("citizen")
    )
    # The applicant as declared on this dossier: a snapshot, the profile may change later.
    applicant_name = models.CharField(_("applicant's full name"), max_length=150, blank=True)
    applicant_citizen_id = models.CharField(_("citizen ID number (CCCD)"), max_length=12, blank=True)
    applicant_date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    applicant_phone = models.CharField(_("mobile phone"), max_length=12, blank=True)
    applicant_address = models.CharField(_("address"), max_length=300, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)

    state = FSMField(_("status"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)

    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("processing time (working days)"), null=True, blank=True)
    clock_started_on = models.DateField(_("clock started on"), null=True, blank=True)
    working_days_used = models.PositiveSmallIntegerField(_("working days used before pauses"), default=0)
    paused_at = models.DateTimeField(_("clock stopped at"), null=True, blank=True)
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True, db_index=True)

    fee_amount = models.PositiveBigIntegerField(_("fee (đồng)"), default=0)
    fee_settled = models.BooleanField(_("fee settled"), default=False)
    fee_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    supplement_request = models.TextField(_("papers requested"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("result ready at"), null=True, blank=True)
    result_file = models.FileField(_("result document"), upload_to=result_upload_to, blank=True)
    result_note = models.TextField(_("note on the result"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_channel = models.CharField(_("delivered"), max_length=20, choices=DeliveryChannel.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    lookup_pin = models.CharField(_("lookup PIN"), max_length=6, blank=True, editable=False)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        permissions = [
            ("validate_dossier", _("Can validate dossiers")),
            ("request_supplement_dossier", _("Can ask for more papers")),
            ("reject_dossier", _("Can reject dossiers")),
            ("process_dossier", _("Can mark dossiers processed")),
            ("deliver_dossier", _("Can hand over results")),
        ]
        indexes = [
            models.Index(fields=["agency", "state"], name="dossier_agency_state"),
            # The public lookup matches the code case-insensitively (UPPER(code) = UPPER(%s)):
            # without this index every lookup scanned the table (86 ms at 200,000 dossiers).
            models.Index(Upper("code"), name="dossier_code_upper"),
            # The officials' queue: an agency's dossiers by appointment date (the admin's
            # ordering plus its -pk tie-break), read from the index instead of sorting them all.
            models.Index(fields=["agency", "appointment_date", "received_at", "-id"], name="dossier_agency_queue"),
        ]

    def __str__(self) -> str:
        return self.code or str(_("Draft %(id)s") % {"id": str(self.public_id)[:8]})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.agency_id and self.state != S.DRAFT:
            from applications.queue import forget_queue

            forget_queue(self.agency_id)  # the officials' work queue shows it at once

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", kwargs={"public_id": self.public_id})

    @property
    def is_editable(self) -> bool:
        return self.state == S.DRAFT

    @property
    def clock_running(self) -> bool:
        return self.state in CLOCK_RUNNING_STATES

    # --- Transitions: fields of this row, in memory only ---------------------------------

    @transition(
        field=state, source=S.DRAFT, target=S.SUBMITTED, conditions=[applicant_is_complete], permission=is_owner
    )
    def submit(self, *, code, at, processing_days, clock_started_on, appointment_date, fee_amount, lookup_pin):
        self.code = code
        self.submitted_at = at
        self.received_at = at
        self.processing_days = processing_days
        self.clock_started_on = clock_started_on
        self.working_days_used = 0
        self.appointment_date = appointment_date
        self.fee_amount = fee_amount
        self.lookup_pin = lookup_pin

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.NEEDS_SUPPLEMENT,
        permission=official_may("applications.request_supplement_dossier"),
    )
    def request_supplement(self, *, at, request_text, working_days_used):
        self.supplement_request = request_text
        self.paused_at = at
        self.working_days_used = working_days_used

    @transition(field=state, source=S.NEEDS_SUPPLEMENT, target=S.SUBMITTED, permission=is_owner)
    def resubmit(self, *, at, clock_started_on, appointment_date):
        self.paused_at = None
        self.received_at = at
        self.clock_started_on = clock_started_on
        self.appointment_date = appointment_date

    @transition(
        field=state, source=S.SUBMITTED, target=S.VALIDATED, permission=official_may("applications.validate_dossier")
    )
    def validate(self, *, at):
        self.validated_at = at

    @transition(
        field=state,
        source=S.VALIDATED,
        target=S.PROCESSED,
        conditions=[fee_is_settled],
        permission=official_may("applications.process_dossier"),
    )
    def process(self, *, at, result_note=""):
        self.processed_at = at
        self.result_note = result_note

    @transition(
        field=state,
        source=S.PROCESSED,
        target=S.DELIVERED,
        conditions=[result_is_ready],
        permission=official_may("applications.deliver_dossier"),
    )
    def deliver(self, *, at, channel):
        self.delivered_at = at
        self.delivery_channel = channel
        self.closed_at = at

    @transition(
        field=state,
        source=[S.SUBMITTED, S.NEEDS_SUPPLEMENT, S.VALIDATED],
        target=S.REJECTED,
        permission=official_may("applications.reject_dossier"),
    )
    def reject(self, *, at, reason):
        self.rejection_reason = reason
        self.paused_at = None
        self.closed_at = at

    @transition(field=state, source=[S.DRAFT, S.SUBMITTED, S.NEEDS_SUPPLEMENT], target=S.WITHDRAWN, permission=is_owner)
    def withdraw(self, *, at):
        self.paused_at = None
        self.closed_at = at


class DossierEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Dossier events are immutable.")

    def delete(self):
        raise TypeError("Dossier events cannot be deleted.")


class DossierEvent(models.Model):
    """One line of the trail: immutable once written."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events", verbose_name=_("dossier"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for the system (a payment or the carrier)."),
    )
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=40, choices=DossierEventName.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=DossierState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=DossierState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Dossier events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Dossier events cannot be deleted.")


class StoredFileMixin(models.Model):
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=50)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True


class DossierPaper(StoredFileMixin):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="papers", verbose_name=_("dossier"))
    required_document = models.ForeignKey(
        "procedures.RequiredDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("required paper"),
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=paper_upload_to, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    is_supplement = models.BooleanField(_("sent as a supplement"), default=False)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["dossier", "created_at", "id"]

    def __str__(self) -> str:
        return self.title

    def get_download_url(self) -> str:
        return reverse("applications:paper_download", kwargs={"public_id": self.dossier.public_id, "paper_id": self.pk})


class PersonalDocument(StoredFileMixin):
    """The citizen's own store of papers, reused across dossiers."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_documents", verbose_name=_("owner")
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=personal_upload_to, max_length=200)

    class Meta:
        verbose_name = _("personal document")
        verbose_name_plural = _("personal documents")
        ordering = ["owner", "-created_at"]

    def __str__(self) -> str:
        return self.title
