from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.constants import DossierState
from applications.models import Dossier
from payments.constants import PaymentState
from payments.models import MockGatewayTransaction, Payment
from tests.applications.factories import OfficialFactory
from tests.conftest import login_official
from tests.payments.factories import fresh, ipn_params, paid_through_mock, submitted_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier(db):
    official = OfficialFactory()
    official.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="payments", codename__in=["view_payment", "refund_payment", "view_receipt"]
        )
    )
    return official


@pytest.fixture
def desk(client, cashier):
    login_official(client, cashier.user)
    return client


def _paid(client, agency, citizen=None):
    dossier = submitted_dossier(citizen=citizen, agency=agency) if citizen else submitted_dossier(agency=agency)
    payment, txn = paid_through_mock(dossier=dossier, actor=dossier.citizen)
    assert client.get(reverse("payments:ipn"), ipn_params(txn)).json()["RspCode"] == "00"
    return fresh(payment)


def test_changelist_shows_own_agency_payments_and_daily_totals(desk, cashier, django_assert_max_num_queries):
    mine = [_paid(desk, cashier.agency) for _ in range(3)]
    other = _paid(desk, OfficialFactory().agency)
    with django_assert_max_num_queries(15):
        response = desk.get(reverse("admin:payments_payment_changelist"))
    body = response.content.decode()
    assert response.status_code == 200
    for payment in mine:
        assert payment.reference in body
    assert other.reference not in body
    assert "150.000 đ" in body  # three payments of 50.000 đ today
    filtered = desk.get(reverse("admin:payments_payment_changelist"), {"state__exact": "failed"})
    assert mine[0].reference not in filtered.content.decode()


def test_other_agency_payment_by_url_is_404(desk):
    other = _paid(desk, OfficialFactory().agency)
    assert desk.get(reverse("admin:payments_payment_change", args=[other.pk])).status_code == 404
    assert desk.get(reverse("admin:payments_payment_refund", args=[other.pk])).status_code == 404
    assert desk.post(reverse("admin:payments_payment_refund", args=[other.pk]), {"reason": "x"}).status_code == 404


def test_payments_cannot_be_deleted_or_edited(desk, cashier):
    payment = _paid(desk, cashier.agency)
    assert desk.get(reverse("admin:payments_payment_delete", args=[payment.pk])).status_code == 403
    response = desk.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert response.status_code == 200 and 'name="amount"' not in response.content.decode()


def test_refund_action_asks_for_confirmation_then_refunds(desk, cashier):
    payment = _paid(desk, cashier.agency)
    Dossier.objects.filter(pk=payment.dossier_id).update(state=DossierState.REJECTED)
    response = desk.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "refund_selected", "_selected_action": [payment.pk]},
    )
    confirm_url = reverse("admin:payments_payment_refund", args=[payment.pk])
    assert response.status_code == 302 and response["Location"] == confirm_url
    page = desk.get(confirm_url)
    assert page.status_code == 200 and "50.000 đ" in page.content.decode()
    assert fresh(payment).state == PaymentState.SUCCEEDED
    done = desk.post(confirm_url, {"reason": "Hồ sơ bị từ chối, hoàn lệ phí"})
    assert done.status_code == 302
    assert fresh(payment).state == PaymentState.REFUNDED
    assert MockGatewayTransaction.objects.get(txn_ref=payment.reference).status == "refunded"


def test_refund_of_an_open_dossier_shows_the_reason(desk, cashier):
    payment = _paid(desk, cashier.agency)
    response = desk.post(reverse("admin:payments_payment_refund", args=[payment.pk]), {"reason": "x"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCEEDED
