"""What the citizen is told about a dossier: the next step expected of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from applications.constants import DossierState
from applications.models import Dossier

if TYPE_CHECKING:
    from applications.selectors import CitizenDossierRow

S = DossierState


def citizen_next_step(dossier: Dossier | CitizenDossierRow) -> str:
    """What the citizen does next; reads ``state``, ``fee_amount``, ``fee_settled`` and ``rating``."""
    if dossier.state == S.DRAFT:
        return _("Finish the dossier and submit it.")
    if dossier.state == S.SUBMITTED:
        return _("Nothing for now: the agency checks your dossier.")
    if dossier.state == S.NEEDS_SUPPLEMENT:
        return _("Upload the papers requested, then send the dossier back.")
    if dossier.state == S.VALIDATED:
        if dossier.fee_amount and not dossier.fee_settled:
            return _("Pay the fee so that the result can be issued.")
        return _("Nothing for now: the agency is processing your dossier.")
    if dossier.state == S.PROCESSED:
        return _("The result is ready: collect it at the counter or ask for it by post.")
    if dossier.state == S.DELIVERED:
        return "" if dossier.rating else _("Tell us how satisfied you are with the service.")
    return ""
