from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_SUPPLEMENT = "needs_supplement", _("Waiting for more papers")
    VALIDATED = "validated", _("Accepted for processing")
    PROCESSED = "processed", _("Result ready")
    DELIVERED = "delivered", _("Result delivered")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which the processing clock runs (for "overdue" and statistics).
CLOCK_RUNNING_STATES = (DossierState.SUBMITTED, DossierState.VALIDATED)
# States in which the dossier is still with the agency or the citizen.
OPEN_STATES = (DossierState.SUBMITTED, DossierState.NEEDS_SUPPLEMENT, DossierState.VALIDATED)


class DossierEventName(models.TextChoices):
    """The events other apps (notifications) are told about after commit."""

    CREATED = "created", _("Draft created")
    SUBMITTED = "submitted", _("Submitted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("More papers requested")
    RESUBMITTED = "resubmitted", _("Resubmitted with the papers")
    VALIDATED = "validated", _("Accepted for processing")
    PROCESSED = "processed", _("Result ready")
    DELIVERED = "delivered", _("Result delivered")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FEE_SETTLED = "fee_settled", _("Fee paid")
    RATED = "rated", _("Service rated")


class DeliveryChannel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NORMAL = "normal", _("Normal")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class CalendarExceptionKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day (ngày làm bù)")
