"""Two officials press "validate" at the same moment: one transition, one clear refusal."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from applications import services
from applications.constants import DossierState
from applications.models import Dossier, DossierCodeSequence, DossierEvent
from tests.applications.factories import (
    PDF_BYTES,
    OfficialFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    SubmittedDossierFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(*targets):
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def wrap(i, target):
        try:
            barrier.wait(timeout=10)
            results[i] = target()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_officials_validating_at_once_make_one_transition():
    first = OfficialFactory()
    second = OfficialFactory(agency=first.agency)
    dossier = SubmittedDossierFactory(agency=first.agency)
    results = _in_threads(
        lambda: services.dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), actor=first.user),
        lambda: services.dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), actor=second.user),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.DossierTransitionError), results
    assert DossierEvent.objects.filter(dossier=dossier, action="validated").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.VALIDATED


def test_parallel_submissions_get_distinct_sequential_codes():
    from django.core.files.uploadedfile import SimpleUploadedFile

    procedure = ProcedureFactory()
    document = RequiredDocumentFactory(procedure=procedure)
    drafts = []
    for _ in range(4):
        citizen = UserFactory()
        draft = services.dossier_create_draft(citizen=citizen, procedure=procedure)
        services.dossier_attach_paper(
            dossier=draft, actor=citizen, uploaded=SimpleUploadedFile("a.pdf", PDF_BYTES), required_document=document
        )
        drafts.append(draft)
    results = _in_threads(*[lambda d=d: services.dossier_submit(dossier=d, actor=d.citizen) for d in drafts])
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(r.code for r in results)
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003", "0004"]
    assert DossierCodeSequence.objects.get().last == 4


def test_double_submit_from_two_devices_makes_one_code():
    from django.core.files.uploadedfile import SimpleUploadedFile

    procedure = ProcedureFactory()
    document = RequiredDocumentFactory(procedure=procedure)
    citizen = UserFactory()
    draft = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    services.dossier_attach_paper(
        dossier=draft, actor=citizen, uploaded=SimpleUploadedFile("a.pdf", PDF_BYTES), required_document=document
    )
    results = _in_threads(
        lambda: services.dossier_submit(dossier=Dossier.objects.get(pk=draft.pk), actor=citizen),
        lambda: services.dossier_submit(dossier=Dossier.objects.get(pk=draft.pk), actor=citizen),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.DossierTransitionError), results
    assert DossierEvent.objects.filter(dossier=draft, action="submitted").count() == 1
    assert DossierCodeSequence.objects.get().last == 1
