from django.db import models
from django.utils.translation import gettext_lazy as _


class Intent(models.TextChoices):
    OVERVIEW = "overview", _("Overview")
    WHERE = "where", _("Where to submit")
    TIME = "time", _("Processing time")
    FEE = "fee", _("Fee")
    PAPERS = "papers", _("Required papers")
    STEPS = "steps", _("Steps")
    RESULT = "result", _("Result")
    ONLINE = "online", _("Online or not")
    YES = "yes", _("Yes")
    NO = "no", _("No")
    CHOICE = "choice", _("Choice among candidates")
    GREETING = "greeting", _("Greeting")
    THANKS = "thanks", _("Thanks")
    GOODBYE = "goodbye", _("Goodbye")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


# The facts a procedure answer can carry, in the order the assistant offers them.
TOPICS = [
    Intent.OVERVIEW,
    Intent.WHERE,
    Intent.TIME,
    Intent.FEE,
    Intent.STEPS,
    Intent.PAPERS,
    Intent.RESULT,
    Intent.ONLINE,
]
OFFER_ORDER = [Intent.STEPS, Intent.PAPERS, Intent.RESULT, Intent.ONLINE]


class UnansweredReason(models.TextChoices):
    NOT_FOUND = "not_found", _("No procedure found")
    AMBIGUOUS = "ambiguous", _("Several procedures possible")
    NO_PROCEDURE = "no_procedure", _("Question without a procedure")
