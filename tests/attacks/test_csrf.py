"""CSRF: every citizen form refuses a POST without the token (403) and changes nothing; the
machine-to-machine endpoints are exempt by design and protected by signatures or rate limits."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from applications.constants import DossierState
from applications.models import Dossier
from payments.models import Payment
from procedures.assistant.models import Conversation
from tests.applications.factories import (
    DossierFactory,
    ProcessedDossierFactory,
    RequiredDocumentFactory,
    SubmittedDossierFactory,
)
from tests.delivery.factories import WardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    return client


def _snapshot(citizen):
    citizen.refresh_from_db()
    return (
        citizen.full_name,
        citizen.address,
        list(Dossier.objects.order_by("pk").values_list("pk", "state", "applicant_name", "rating")),
        Payment.objects.count(),
        Conversation.objects.count(),
    )


def test_every_citizen_form_refuses_a_post_without_token(csrf_client, citizen):
    draft = DossierFactory(citizen=citizen)
    document = RequiredDocumentFactory(procedure=draft.procedure)
    submitted = SubmittedDossierFactory(citizen=citizen, fee_amount=50000)
    delivered = ProcessedDossierFactory(citizen=citizen)
    ward = WardFactory()
    posts = {
        "profile": (reverse("portal:profile"), {"full_name": "Hacked", "address": "x"}),
        "create": (reverse("applications:create", args=[draft.procedure.code]), {"agency": draft.agency_id}),
        "applicant": (reverse("applications:applicant", args=[draft.public_id]), {"applicant_name": "Hacked"}),
        "upload": (
            reverse("applications:paper_upload", args=[draft.public_id, document.pk]),
            {"file": ("x.pdf", b"%PDF-1.4\n%%EOF\n")},
        ),
        "submit": (reverse("applications:submit", args=[draft.public_id]), {}),
        "withdraw": (reverse("applications:withdraw", args=[submitted.public_id]), {"note": "x"}),
        "rate": (reverse("applications:rate", args=[submitted.public_id]), {"rating": 1, "comment": "x"}),
        "payment_start": (reverse("payments:start", args=[submitted.public_id]), {"method": "bank"}),
        "delivery_request": (
            reverse("delivery:request", args=[delivered.public_id]),
            {"province": ward.province.code, "ward": ward.code, "street_address": "1 A", "recipient_name": "B"},
        ),
        "delivery_confirm": (reverse("delivery:confirm", args=[delivered.public_id]), {}),
        "chat": (reverse("assistant:chat"), {"text": "làm căn cước ở đâu"}),
        "lookup": (reverse("applications:lookup"), {"code": submitted.code, "secret": "123456"}),
        "set_language": (reverse("set_language"), {"language": "en", "next": "/"}),
        "notifications_read_all": (reverse("notifications:read_all"), {}),
        "notification_preferences": (reverse("notifications:preferences"), {"email_enabled": ""}),
        "logout": (reverse("account_logout"), {}),
    }
    before = _snapshot(citizen)
    for name, (url, data) in posts.items():
        response = csrf_client.post(url, data)
        assert response.status_code == 403, (name, response.status_code)
        assert "CSRF" in response.content.decode() or response.status_code == 403
    assert _snapshot(citizen) == before
    assert "django_language" not in csrf_client.cookies or csrf_client.cookies["django_language"].value != "en"
    # The logout without a token did not end the session.
    assert csrf_client.get(reverse("portal:profile")).status_code == 200
    assert Dossier.objects.get(pk=draft.pk).state == DossierState.DRAFT


def test_the_same_forms_work_with_the_token(csrf_client, citizen):
    """The control: a real form post (token from the cookie) is accepted."""
    csrf_client.get(reverse("portal:profile"))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_language_links_need_no_token_by_design(csrf_client, citizen):
    """The header's language links are GETs (portal.views.switch_language): a forged cross-site
    link can switch the visitor's language and nothing else."""
    before = _snapshot(citizen)
    response = csrf_client.get(reverse("portal:switch_language", args=["en"]), {"next": "/"})
    assert response.status_code == 302
    assert list(response.cookies) == ["django_language"] and response.cookies["django_language"].value == "en"
    assert _snapshot(citizen) == before
    assert csrf_client.get(reverse("portal:profile")).status_code == 200


def test_login_form_refuses_a_post_without_token(citizen):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("account_login"), {"login": citizen.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_machine_endpoints_are_csrf_exempt_but_signed_or_limited(settings):
    client = Client(enforce_csrf_checks=True)
    # Payment IPN: no CSRF, but a message without a valid signature gets VNPay's code 97.
    response = client.post(reverse("payments:ipn"), {"vnp_TxnRef": "PAYAAAAAAAAAAAAAAAA", "vnp_SecureHash": "00"})
    assert response.status_code == 200 and response.json()["RspCode"] == "97"
    # Carrier webhook: no CSRF, but unsigned is 401.
    response = client.post(reverse("delivery:webhook"), data=b"{}", content_type="application/json")
    assert response.status_code == 401
    # Assistant API: no CSRF, rate limited per address.
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 2
    statuses = [
        client.post(reverse("assistant:api"), data={"text": "lệ phí"}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert statuses[:2] == [200, 200] and statuses[2] == 429
