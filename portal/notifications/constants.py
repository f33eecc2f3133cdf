from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    SITE = "site", _("On the portal")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Language(models.TextChoices):
    VI = "vi", _("Vietnamese")
    EN = "en", _("English")


class Event(models.TextChoices):
    DOSSIER_SUBMITTED = "dossier_submitted", _("Dossier submitted")
    DOSSIER_VALIDATED = "dossier_validated", _("Dossier valid")
    DOSSIER_SUPPLEMENT_REQUESTED = "dossier_supplement_requested", _("More papers requested")
    DOSSIER_RESUBMITTED = "dossier_resubmitted", _("Dossier resubmitted")
    DOSSIER_REJECTED = "dossier_rejected", _("Dossier rejected")
    DOSSIER_PROCESSED = "dossier_processed", _("Result ready")
    DOSSIER_DELIVERED = "dossier_delivered", _("Result handed over")
    DOSSIER_WITHDRAWN = "dossier_withdrawn", _("Dossier withdrawn")
    DOSSIER_OVERDUE_APOLOGY = "dossier_overdue_apology", _("Apology for a late dossier")
    FEE_DUE = "fee_due", _("Fee due")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    SHIPMENT_DISPATCHED = "shipment_dispatched", _("Result sent by post")
    SHIPMENT_DELIVERED = "shipment_delivered", _("Result delivered by post")
    SHIPMENT_RETURNED = "shipment_returned", _("Postal delivery returned")
    OFFICIAL_DUE_SOON_DIGEST = "official_due_soon_digest", _("Officials' daily due-soon digest")
    OFFICIAL_OVERDUE_ALERT = "official_overdue_alert", _("Officials' overdue alert")


# What the dossier services pass as ``event`` to ``notify_dossier_event``.
DOSSIER_EVENTS: dict[str, str] = {
    "submitted": Event.DOSSIER_SUBMITTED,
    "validated": Event.DOSSIER_VALIDATED,
    "supplement_requested": Event.DOSSIER_SUPPLEMENT_REQUESTED,
    "resubmitted": Event.DOSSIER_RESUBMITTED,
    "rejected": Event.DOSSIER_REJECTED,
    "processed": Event.DOSSIER_PROCESSED,
    "delivered": Event.DOSSIER_DELIVERED,
    "withdrawn": Event.DOSSIER_WITHDRAWN,
    "overdue": Event.DOSSIER_OVERDUE_APOLOGY,
    "fee_due": Event.FEE_DUE,
    "payment_received": Event.PAYMENT_RECEIVED,
    "fee_settled": Event.PAYMENT_RECEIVED,
    "shipment_dispatched": Event.SHIPMENT_DISPATCHED,
    "shipment_delivered": Event.SHIPMENT_DELIVERED,
    "shipment_returned": Event.SHIPMENT_RETURNED,
}

# Dossier events that tell the citizen nothing new (their own action, seen on the page).
SILENT_DOSSIER_EVENTS = frozenset({"created", "rated"})

# Dossier states in which the agency still owes the citizen a result (clock running or paused).
OPEN_DOSSIER_STATES = ("submitted", "validated", "needs_supplement")
# States in which lateness is the agency's doing: a supplement request stops the clock.
OVERDUE_DOSSIER_STATES = ("submitted", "validated")
