"""Guessing ids: another citizen's things are a 404 for every method, and ids are not guessable."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from applications.models import Dossier
from payments.models import Payment
from portal.notifications.models import Notification
from tests.conftest import login_official

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "delete", "patch"]


def _victim_urls(v) -> dict[str, str]:
    d = v["dossier"]
    pid = d.public_id
    return {
        "detail": reverse("applications:detail", args=[pid]),
        "applicant": reverse("applications:applicant", args=[pid]),
        "papers": reverse("applications:papers", args=[pid]),
        "paper_upload": reverse("applications:paper_upload", args=[pid, "khac"]),
        "paper_remove": reverse("applications:paper_remove", args=[pid, v["paper"].pk]),
        "paper_download": reverse("applications:paper_download", args=[pid, v["paper"].pk]),
        "review": reverse("applications:review", args=[pid]),
        "submit": reverse("applications:submit", args=[pid]),
        "resubmit": reverse("applications:resubmit", args=[pid]),
        "withdraw": reverse("applications:withdraw", args=[pid]),
        "rate": reverse("applications:rate", args=[pid]),
        "receipt": reverse("applications:receipt", args=[pid]),
        "result": reverse("applications:result_download", args=[pid]),
        "payment_start": reverse("payments:start", args=[pid]),
        "payment_status": reverse("payments:status", args=[v["payment"].reference]),
        "payment_receipt": reverse("payments:receipt", args=[v["payment"].reference]),
        "delivery_request": reverse("delivery:request", args=[pid]),
        "delivery_confirm": reverse("delivery:confirm", args=[pid]),
        "notification_read": reverse("notifications:read", args=[v["notification"].pk]),
    }


def test_the_victim_reaches_their_own_pages(client, victim):
    """The control: the same URLs work for their owner, so the 404s below mean 'not yours'."""
    client.force_login(victim["user"])
    urls = _victim_urls(victim)
    for name in ("detail", "paper_download", "receipt", "payment_status", "payment_receipt", "delivery_confirm"):
        assert client.get(urls[name]).status_code == 200, name


@pytest.mark.parametrize("method", METHODS)
def test_another_citizens_things_are_404_for_every_method(attacker_client, victim, method):
    before = (Dossier.objects.get(pk=victim["dossier"].pk).state, Payment.objects.get(pk=victim["payment"].pk).state)
    for name, url in _victim_urls(victim).items():
        response = getattr(attacker_client, method)(url)
        assert response.status_code == 404, (name, method, response.status_code)
    after = (Dossier.objects.get(pk=victim["dossier"].pk).state, Payment.objects.get(pk=victim["payment"].pk).state)
    assert before == after
    assert Notification.objects.get(pk=victim["notification"].pk).read_at is None


def test_notification_list_shows_only_ones_own(attacker_client, victim):
    response = attacker_client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert victim["notification"].subject not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_login_or_refused(client, victim, method):
    for name, url in _victim_urls(victim).items():
        response = getattr(client, method)(url)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login")), name
        else:
            assert response.status_code in (404, 405), (name, response.status_code)


def test_ids_in_urls_are_uuids_or_long_random_references(victim):
    dossier = victim["dossier"]
    assert isinstance(dossier.public_id, uuid.UUID) and dossier.public_id.version == 4
    assert re.fullmatch(r"PAY[23456789A-HJ-NP-Z]{16}", victim["payment"].reference)
    from payments.models import new_reference

    assert len({new_reference() for _ in range(1000)}) == 1000
    # Uploaded files have names made by the server: 128 random bits, no trace of the original.
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", victim["paper"].file.name.rsplit("/", 1)[-1])


def test_a_random_uuid_is_404(attacker_client):
    assert attacker_client.get(reverse("applications:detail", args=[uuid.uuid4()])).status_code == 404
    assert attacker_client.get(reverse("payments:status", args=["PAY" + "A" * 16])).status_code == 404


# --- Officials of another agency --------------------------------------------------------------


@pytest.fixture
def foreign_official(db):
    from tests.applications.factories import OfficialFactory

    return OfficialFactory().user


def _admin_urls(v) -> dict[str, str]:
    from django.contrib.admin.sites import site

    d = v["dossier"]
    urls = {
        "dossier_change": reverse("admin:applications_dossier_change", args=[d.pk]),
        "dossier_history": reverse("admin:applications_dossier_history", args=[d.pk]),
        "payment_change": reverse("admin:payments_payment_change", args=[v["payment"].pk]),
        "delivery_change": reverse("admin:delivery_deliveryrequest_change", args=[v["delivery"].pk]),
        "paper_download": reverse("applications:paper_download", args=[d.public_id, v["paper"].pk]),
        "receipt": reverse("applications:receipt", args=[d.public_id]),
    }
    for action in ("validate", "reject", "request_supplement", "process", "deliver"):
        urls[f"transition_{action}"] = f"{reverse('admin:applications_dossier_change', args=[d.pk])}act/{action}/"
    assert site.is_registered(Payment)
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_official_of_another_agency_gets_404_in_the_admin(client, victim, foreign_official, method):
    login_official(client, foreign_official)
    for name, url in _admin_urls(victim).items():
        response = getattr(client, method)(url)
        assert response.status_code == 404, (name, method, response.status_code)
    assert Dossier.objects.get(pk=victim["dossier"].pk).state == victim["dossier"].state


def test_the_agencys_own_official_reaches_the_same_admin_pages(client, victim):
    from tests.applications.factories import OfficialFactory

    own = OfficialFactory(agency=victim["dossier"].agency).user
    login_official(client, own)
    urls = _admin_urls(victim)
    for name in ("dossier_change", "paper_download", "receipt"):
        assert client.get(urls[name]).status_code == 200, name


def test_admin_changelists_of_another_agency_do_not_list_the_victim(client, victim, foreign_official):
    login_official(client, foreign_official)
    for name in ("applications_dossier", "payments_payment", "delivery_deliveryrequest", "delivery_shipment"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code in (200, 403), name
        body = response.content.decode()
        assert victim["dossier"].applicant_name not in body, name
        assert victim["payment"].reference not in body, name
