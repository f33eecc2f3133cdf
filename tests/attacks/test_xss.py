"""Stored and reflected XSS: whatever a citizen, an official or an import file types is shown
escaped on every page that shows it, and the JSON API returns it as JSON data."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from applications import services
from applications.models import Dossier
from procedures.assistant.models import Conversation
from procedures.models import Procedure
from tests.applications.factories import (
    DeliveredDossierFactory,
    OfficialFactory,
    SubmittedDossierFactory,
    UserFactory,
)
from tests.attacks.conftest import XSS_PAYLOADS
from tests.conftest import login_official
from tests.procedures.catalogue_samples import portal_document, portal_procedure

pytestmark = pytest.mark.django_db

RAW_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img src=x")


def assert_escaped(response, payload: str) -> None:
    body = response.content.decode()
    for marker in RAW_MARKERS:
        assert marker not in body, f"raw {marker!r} in {response.request['PATH_INFO']}"
    # The text is there, escaped (so the test would fail if the page simply dropped it).
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert "&lt;" in body and ("alert(1)" in body or escaped in body)


@pytest.fixture
def official_client(db):
    def make(dossier):
        client = Client()
        login_official(client, OfficialFactory(agency=dossier.agency).user)
        return client

    return make


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_names_addresses_and_officials_notes_are_escaped(client, official_client, payload):
    user = UserFactory(full_name=payload, address=payload)
    dossier = SubmittedDossierFactory(citizen=user, applicant_name=payload, applicant_address=payload)
    staff = official_client(dossier)
    services.dossier_request_supplement(
        dossier=Dossier.objects.get(pk=dossier.pk),
        actor=OfficialFactory(agency=dossier.agency).user,
        request_text=payload,
    )
    client.force_login(user)
    assert_escaped(client.get(reverse("applications:detail", args=[dossier.public_id])), payload)
    assert_escaped(client.get(reverse("portal:profile")), payload)
    assert_escaped(staff.get(reverse("admin:applications_dossier_change", args=[dossier.pk])), payload)
    assert_escaped(staff.get(reverse("admin:applications_dossier_changelist")), payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rejection_reason_is_escaped(client, payload):
    dossier = SubmittedDossierFactory()
    services.dossier_reject(dossier=dossier, actor=OfficialFactory(agency=dossier.agency).user, reason=payload)
    client.force_login(dossier.citizen)
    assert_escaped(client.get(reverse("applications:detail", args=[dossier.public_id])), payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rating_comment_is_escaped_for_the_agency(client, official_client, payload):
    dossier = DeliveredDossierFactory()
    client.force_login(dossier.citizen)
    response = client.post(
        reverse("applications:rate", args=[dossier.public_id]), {"rating": "satisfied", "comment": payload}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).rating_comment == payload
    staff = official_client(dossier)
    assert_escaped(staff.get(reverse("admin:applications_dossier_change", args=[dossier.pk])), payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_hotline_question_is_escaped_on_the_chat_page_in_the_admin_and_in_the_api(client, admin_client, payload):
    response = client.post(reverse("assistant:chat"), {"text": payload})
    assert response.status_code == 302
    assert_escaped(client.get(reverse("assistant:chat")), payload)
    conversation = Conversation.objects.get()
    assert_escaped(admin_client.get(reverse("admin:assistant_conversation_change", args=[conversation.pk])), payload)
    api = Client().post(reverse("assistant:api"), data={"text": payload}, content_type="application/json")
    assert api.status_code == 200
    assert api["Content-Type"].startswith("application/json")
    assert api["X-Content-Type-Options"] == "nosniff"
    json.loads(api.content)  # well-formed JSON: the text is data, never markup


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_search_query_is_reflected_escaped(client, payload):
    for url in (reverse("procedures:list"), reverse("applications:start")):
        response = client.get(url, {"q": payload})
        assert response.status_code == 200
        body = response.content.decode()
        for marker in RAW_MARKERS:
            assert marker not in body, url
    assert_escaped(client.get(reverse("procedures:list"), {"q": payload}), payload)
    api = client.get(reverse("api:procedures"), {"q": payload})
    assert api.status_code in (200, 400)
    assert api["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_lookup_code_is_reflected_escaped(client, payload):
    response = client.post(reverse("applications:lookup"), {"code": payload, "secret": "123456"})
    assert response.status_code in (400, 404)
    assert_escaped(response, payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_imported_procedure_name_is_escaped_on_pages_admin_and_api(client, admin_client, tmp_path, payload):
    from procedures.services import catalogue_import

    path = tmp_path / "c.json"
    path.write_text(portal_document(portal_procedure("1.009999", name=payload)), encoding="utf-8")
    report = catalogue_import(file=path, fmt="json")
    assert report.ok, report.rows
    procedure = Procedure.objects.get(code="1.009999")
    assert procedure.name == payload
    assert_escaped(client.get(reverse("procedures:detail", args=[procedure.code])), payload)
    assert_escaped(client.get(reverse("procedures:list"), {"q": "1.009999"}), payload)
    assert_escaped(admin_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk])), payload)
    api = client.get(reverse("api:procedure", args=[procedure.code]))
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert json.loads(api.content)["name"] == payload
