"""Shared pieces of the attack tests: a victim with one of everything, and an attacker."""

from __future__ import annotations

import pytest

from portal.celery import app
from tests.applications.factories import DossierPaperFactory, SubmittedDossierFactory, UserFactory
from tests.delivery.factories import DeliveryRequestFactory
from tests.notifications.factories import SiteNotificationFactory
from tests.payments.factories import ipn_params, paid_through_mock

XSS_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture(autouse=True)
def _attack_settings(settings):
    settings.PAYMENT_MOCK_SEND_IPN = False
    settings.SITE_URL = "http://testserver"
    settings.PAYMENT_GATEWAY_SECRET = "test-shared-secret-0123456789"
    settings.DELIVERY_CARRIER_SECRET = "test-carrier-secret-0123456789"


@pytest.fixture(autouse=True)
def _eager_unless_real_worker(request):
    eager = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = not request.node.get_closest_marker("celery_worker")
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager


@pytest.fixture
def victim(db):
    """Another citizen with a processed, paid dossier, a paper, a postal delivery request and a
    portal notification: everything an attacker might try to reach by guessing."""
    from payments import services as payment_services

    user = UserFactory(full_name="Phạm Thị Nạn Nhân")
    from applications.constants import DossierState
    from applications.models import Dossier
    from payments.models import Payment

    dossier = SubmittedDossierFactory(citizen=user, fee_amount=50000)
    paper = DossierPaperFactory(dossier=dossier)
    payment, txn = paid_through_mock(dossier=dossier, actor=user)
    code, _message = payment_services.payment_apply_notification(params=ipn_params(txn))
    assert code == "00"
    # Processed by its agency (the state field is protected: set it as a migration would).
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.PROCESSED)
    dossier = Dossier.objects.get(pk=dossier.pk)
    delivery = DeliveryRequestFactory(dossier=dossier)
    notification = SiteNotificationFactory(recipient=user)
    payment = Payment.objects.get(pk=payment.pk)
    return {
        "user": user,
        "dossier": dossier,
        "paper": paper,
        "payment": payment,
        "delivery": delivery,
        "notification": notification,
    }


@pytest.fixture
def attacker(db):
    return UserFactory(full_name="Kẻ Tò Mò", email="ke.to.mo@example.vn")


@pytest.fixture
def attacker_client(client, attacker):
    client.force_login(attacker)
    return client
