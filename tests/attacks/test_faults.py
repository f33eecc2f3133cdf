"""Faults with the real services: the database lost mid-request, the broker down, and callbacks
that arrive while the database is briefly unavailable (retried by the sender, applied once)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from applications import views as application_views
from applications.constants import DossierEventName, DossierState
from applications.models import Dossier, DossierEvent
from delivery import mock_carrier
from delivery import services as delivery_services
from delivery.models import MockCarrierEvent, ShipmentEvent
from payments import services as payment_services
from payments.constants import PaymentState
from payments.mockgateway.ledger import IpnNotAcknowledged, ipn_deliver
from payments.models import Payment, PaymentNotification, Receipt
from portal.notifications import services as notification_services
from portal.notifications.constants import Status
from portal.notifications.models import Notification, OutboxEvent
from tests.applications.factories import DossierFactory, FeeFactory, SubmittedDossierFactory
from tests.delivery.conftest import confirmed_request, tariff, units  # noqa: F401 - fixtures
from tests.notifications.test_worker import ROOT, celery_worker, outbox, wait_until  # noqa: F401 - fixture
from tests.payments.factories import paid_through_mock

UNAVAILABLE = "Dịch vụ tạm thời gián đoạn"


def lose_the_database() -> None:
    """What a PostgreSQL restart does to a request in flight: its backend is terminated.
    (Only this connection's own backend: the shared server keeps running.) On SQLite, the
    error the driver raises when the file is unavailable."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    raise OperationalError("database unavailable")


def failing_once(monkeypatch, module, name: str) -> list[int]:
    original = getattr(module, name)
    calls: list[int] = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            lose_the_database()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, flaky)
    return calls


# --- (a) The database lost in the middle of a request ----------------------------------------


def _lookup_while_the_database_goes_away(client, monkeypatch):
    dossier = SubmittedDossierFactory()
    failing_once(monkeypatch, application_views, "dossier_for_lookup")
    data = {"code": dossier.code, "secret": "123456"}
    down = client.post(reverse("applications:lookup"), data)
    assert down.status_code == 503
    body = down.content.decode()
    assert UNAVAILABLE in body and "Traceback" not in body and "OperationalError" not in body
    assert down["Retry-After"] == "10"
    # The next request, with the database back, succeeds on a fresh connection.
    again = client.post(reverse("applications:lookup"), data)
    assert again.status_code == 200
    assert dossier.code in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_database_error_mid_request_is_a_clean_vietnamese_503(client, monkeypatch):
    _lookup_while_the_database_goes_away(client, monkeypatch)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backend_terminated_mid_request_then_recovers(client, monkeypatch):
    assert connection.vendor == "postgresql"
    _lookup_while_the_database_goes_away(client, monkeypatch)
    with connection.cursor() as cursor:  # the test's own connection works again too
        cursor.execute("SELECT 1")


# --- (b) Redis (the broker) unavailable ------------------------------------------------------

SUBMIT_AND_PAY_WITH_DEAD_BROKER = """
import sys, time, django
django.setup()
from portal.celery import app
app.conf.broker_url = "redis://127.0.0.1:1/5"  # the broker is down (with "all": the cache too)
from django.test import Client
from portal.models import User
client = Client()
client.force_login(User.objects.get(pk=int(sys.argv[1])))
started = time.monotonic()
submit = client.post(f"/ho-so/{sys.argv[2]}/nop/")
pay = client.post(f"/payments/ho-so/{sys.argv[2]}/nop-le-phi/", {"method": "bank"})
pages = [client.get(path).status_code for path in ("/", "/thu-tuc/?q=ho+kinh+doanh", f"/ho-so/{sys.argv[2]}/", "/ho-so-cua-toi/")]
hotline = client.post("/api/v1/assistant/", {"text": "đăng ký hộ kinh doanh"}, content_type="application/json").status_code
print(",".join(map(str, pages + [hotline])), submit.status_code, pay.status_code, pay.get("Location", "")[:40].replace(" ", ""), round(time.monotonic() - started, 2))
"""


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("down", ["broker", "all"])
def test_redis_down_citizen_still_submits_and_pays_and_notifications_follow(citizen, outbox, down):  # noqa: F811
    """``broker``: only Celery's broker is unreachable. ``all``: Redis itself, so the cache and
    the sessions' copies too (portal.cache.SoftFailRedisCache): sessions are read from the
    database, pages render without their caches, the hotline records turns synchronously."""
    from tests.notifications.test_worker import _test_database_url

    dossier = DossierFactory(citizen=citizen)
    FeeFactory(procedure=dossier.procedure, amount=50000)
    env = {**outbox.env, "DATABASE_URL": _test_database_url(), "PAYMENT_MOCK_SEND_IPN": "0"}
    env["ALLOWED_HOSTS"] = "testserver,localhost"
    if down == "all":
        env["REDIS_URL"] = "redis://127.0.0.1:1/5"
    done = subprocess.run(
        [sys.executable, "-c", SUBMIT_AND_PAY_WITH_DEAD_BROKER, str(citizen.pk), str(dossier.public_id)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pages, submit_status, pay_status, location, seconds = done.stdout.split()[-5:]
    assert (submit_status, pay_status) == ("302", "302"), done.stdout + done.stderr[-2000:]
    assert pages == "200,200,200,200,200", done.stdout + done.stderr[-2000:]
    if down == "all":
        assert "cache: Redis unreachable" in done.stderr  # the cache really was away
    assert "mock-gateway" in location
    assert float(seconds) < 20, "a broker outage must not hang the citizen"
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.state == DossierState.SUBMITTED
    assert Payment.objects.get(dossier=dossier).state == PaymentState.PENDING
    # The submission's message waits in the outbox, written with the dossier's change.
    assert "the outbox sweep will send them" in done.stderr
    pending = OutboxEvent.objects.filter(dossier_id=dossier.pk)
    assert list(pending.values_list("event", flat=True)) == ["submitted"]
    assert not Notification.objects.filter(recipient=citizen).exists()
    # Redis is back: the beat's outbox sweep queues the event again and a real worker
    # renders, writes and sends its messages.
    pending.update(updated_at=timezone.now() - timedelta(minutes=11))
    assert notification_services.outbox_requeue_stuck(older_than=timedelta(minutes=10)) == 1
    rows = Notification.objects.filter(recipient=citizen).exclude(channel="site")
    with celery_worker(outbox.env):
        assert wait_until(lambda: rows.exists() and not rows.filter(status=Status.QUEUED).exists())
    assert not pending.exists()
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert any(dossier.code in message for message in outbox.emails())


# --- (c) Callbacks while the database is briefly unavailable: retried, applied once ------------


@pytest.fixture
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.DELIVERY_WEBHOOK_BASE_URL = live_server.url
    return live_server


@pytest.mark.django_db(transaction=True)
def test_ipn_during_a_database_outage_is_retried_and_settles_once(live_site, monkeypatch, citizen):
    dossier = SubmittedDossierFactory(citizen=citizen, fee_amount=50000)
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    calls = failing_once(monkeypatch, payment_services, "payment_apply_notification")
    with pytest.raises(IpnNotAcknowledged, match="503"):
        ipn_deliver(txn_id=txn.pk)  # the gateway's first attempt meets the outage
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING
    assert ipn_deliver(txn_id=txn.pk) == "00"  # its retry, once the database is back
    assert ipn_deliver(txn_id=txn.pk) == "02"  # already acknowledged: not sent again
    assert len(calls) == 2
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCEEDED
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert PaymentNotification.objects.filter(counted=True).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action=DossierEventName.FEE_SETTLED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_carrier_webhook_during_a_database_outage_is_retried_and_applied_once(
    live_site,
    monkeypatch,
    confirmed_request,  # noqa: F811
):
    queued: list[int] = []
    monkeypatch.setattr(mock_carrier, "_enqueue_webhook", queued.append)  # the test is the sender
    shipment = delivery_services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)
    queued.clear()
    mock_carrier.mock_shipment_advance(tracking_number=shipment.tracking_number)
    (event_pk,) = queued
    assert MockCarrierEvent.objects.get(pk=event_pk).shipment.callback_url.startswith(live_site.url)
    calls = failing_once(monkeypatch, delivery_services, "shipment_record_event")
    assert mock_carrier.mock_webhook_deliver(event_pk=event_pk) is False  # 503: not acknowledged
    assert not ShipmentEvent.objects.exists()
    assert mock_carrier.mock_webhook_deliver(event_pk=event_pk) is True  # the retry
    assert mock_carrier.mock_webhook_deliver(event_pk=event_pk) is True  # acknowledged: not sent again
    assert len(calls) == 2
    assert ShipmentEvent.objects.count() == 1
    event = MockCarrierEvent.objects.get(pk=event_pk)
    assert event.attempts == 2 and event.acknowledged_at is not None
    shipment.refresh_from_db()
    assert shipment.status == event.status
