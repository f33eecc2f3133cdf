"""Data for the journeys, made before the browser opens a page: a household business
dossier built through the applications services, as the citizen's own pages would."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.e2e.files import pdf_bytes

PROCEDURE_CODE = "1.001612"
CITIZEN_EMAIL = "congdan@example.vn"
OFFICIAL_EMAIL = "canbo@example.vn"
OFFICIAL_PASSWORD = "demo-canbo-2026"


def household_dossier(*, submit: bool = True):
    """A complete household business registration dossier of the demo citizen, at the demo
    official's agency; submitted unless ``submit`` is false."""
    from applications import services
    from applications.models import Official
    from portal.models import User
    from procedures.models import Procedure

    citizen = User.objects.get(email=CITIZEN_EMAIL)
    procedure = Procedure.objects.get(code=PROCEDURE_CODE)
    agency = Official.objects.get(user__email=OFFICIAL_EMAIL).agency
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure, agency=agency)
    for document in procedure.documents.filter(is_required=True):
        services.dossier_attach_paper(
            dossier=dossier,
            actor=citizen,
            uploaded=SimpleUploadedFile(f"giay-{document.pk}.pdf", pdf_bytes(), "application/pdf"),
            required_document=document,
        )
    if submit:
        dossier = services.dossier_submit(dossier=dossier, actor=citizen)
    return dossier
