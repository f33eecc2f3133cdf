"""Brute force: login, the public lookup, the assistant API; and what a flood of forged IPNs does."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from payments.constants import PaymentState
from payments.models import Payment, PaymentNotification
from tests.applications.factories import SubmittedDossierFactory
from tests.payments.factories import ipn_params, paid_through_mock

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_account_then_the_address_gets_429(client, citizen):
    """allauth's limits (settings.ACCOUNT_RATE_LIMITS): "login_failed" 5 per 5 minutes per account
    → the form refuses even the right password with a Vietnamese message, answered 429 with
    Retry-After (portal.views.LoginView); "login_failed" 10 a minute and "login" 30 a minute per
    address → 429 for every further attempt."""
    wrong = [
        client.post(reverse("account_login"), {"login": citizen.email, "password": f"wrong-{i}"}) for i in range(6)
    ]
    assert "sai quá nhiều lần" not in wrong[0].content.decode()
    assert [r.status_code for r in wrong] == [200] * 5 + [429]
    assert "sai quá nhiều lần" in wrong[5].content.decode()
    assert wrong[5]["Retry-After"] == "300"
    right = client.post(reverse("account_login"), {"login": citizen.email, "password": "correct horse battery staple"})
    assert "_auth_user_id" not in client.session
    assert right.status_code == 429
    assert "sai quá nhiều lần" in right.content.decode()
    statuses = [
        client.post(reverse("account_login"), {"login": f"x{i}@example.vn", "password": "x"}).status_code
        for i in range(30)
    ]
    # 10 failures a minute per address ("login_failed" 10/m/ip): 7 above, 3 more, then 429 —
    # and after 30 attempts a minute the address is refused before the form ("login" 30/m/ip).
    assert statuses == [200] * 3 + [429] * 27


def test_public_lookup_is_limited_after_ten_wrong_tries(client):
    dossier = SubmittedDossierFactory()
    statuses = [
        client.post(reverse("applications:lookup"), {"code": dossier.code, "secret": f"{i:06d}"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    # The right PIN is refused too while blocked: guessing cannot be finished by luck.
    right = client.post(reverse("applications:lookup"), {"code": dossier.code, "secret": "123456"})
    assert right.status_code == 429
    assert "Quá nhiều lần thử sai" in right.content.decode() or "10 phút" in right.content.decode()


def test_assistant_api_is_rate_limited(settings):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 5
    client = Client()
    statuses = [
        client.post(reverse("assistant:api"), data={"text": "lệ phí khai sinh"}, content_type="application/json")
        for _ in range(7)
    ]
    assert [r.status_code for r in statuses] == [200] * 5 + [429, 429]
    assert statuses[-1].json() == {"error": "too many requests"}


def test_a_flood_of_forged_ipns_changes_nothing(client, citizen):
    """Each forged message is refused with 97 and recorded; the IPN endpoint is not rate limited
    (the gateway must always get through, and a refusal costs one HMAC), so the defence is the
    signature, not a counter."""
    dossier = SubmittedDossierFactory(citizen=citizen, fee_amount=50000)
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    genuine = ipn_params(txn)
    codes = set()
    for i in range(200):
        forged = {**genuine, "vnp_SecureHash": f"{i:0128x}"}
        codes.add(client.get(reverse("payments:ipn"), forged).json()["RspCode"])
    assert codes == {"97"}
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING
    assert not PaymentNotification.objects.filter(counted=True).exists()
    # The genuine message still gets through after the flood.
    assert client.get(reverse("payments:ipn"), genuine).json()["RspCode"] == "00"
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCEEDED
