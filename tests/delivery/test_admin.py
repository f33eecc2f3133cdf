from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from delivery import services
from delivery.constants import ShipmentStatus
from delivery.models import Shipment
from tests.applications.factories import ProcessedDossierFactory
from tests.conftest import login_official
from tests.delivery.factories import DeliveryRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agencies(units, tariff, carrier_http):
    mine = DeliveryRequestFactory(ward=units["phu_xuan"], recipient_name="Trần Thị Mai")
    theirs = DeliveryRequestFactory(ward=units["thuan_hoa"], recipient_name="Lê Văn Khác")
    for request in (mine, theirs):
        services.delivery_dispatch_processed(dossier_id=request.dossier_id)
    return mine, theirs


@pytest.fixture
def official_client(client, official_of, two_agencies):
    from django.contrib.auth.models import Permission

    user = official_of(two_agencies[0].dossier)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="delivery", codename__startswith="view_")
    )
    login_official(client, user)
    return client


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_manifest_pdf_lists_the_days_parcels_of_the_agency(two_agencies):
    mine, theirs = two_agencies
    pdf = services.delivery_manifest_pdf(agency=mine.dossier.agency, day=timezone.localdate())
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert mine.shipment.tracking_number in text
    assert "Trần Thị Mai" in text
    assert theirs.shipment.tracking_number not in text


def test_official_sees_only_their_agencys_shipments(official_client, two_agencies):
    mine, theirs = two_agencies
    page = official_client.get(reverse("admin:delivery_shipment_changelist")).content.decode()
    assert mine.shipment.tracking_number in page
    assert theirs.shipment.tracking_number not in page
    other = reverse("admin:delivery_shipment_change", args=[theirs.shipment.pk])
    assert official_client.get(other).status_code in (302, 404)


def test_official_downloads_the_manifest(official_client, two_agencies):
    mine, theirs = two_agencies
    url = reverse("admin:delivery_shipment_manifest")
    assert official_client.get(url).status_code == 200
    response = official_client.get(url, {"day": timezone.localdate().strftime("%d/%m/%Y")})
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert mine.shipment.tracking_number in text and theirs.shipment.tracking_number not in text


def test_advance_action_moves_the_parcel_through_the_webhook(
    official_client, two_agencies, django_capture_on_commit_callbacks
):
    mine, _theirs = two_agencies
    with django_capture_on_commit_callbacks(execute=True):
        official_client.post(
            reverse("admin:delivery_shipment_changelist"),
            {"action": "advance_mock", "_selected_action": [mine.shipment.pk]},
        )
    # Without the earlier "accepted" webhook (not run here) the parcel jumped to picked up.
    assert Shipment.objects.get(pk=mine.shipment.pk).status == ShipmentStatus.PICKED_UP


def test_create_shipments_now_action(client, official_of, units, tariff, carrier_http):
    from django.contrib.auth.models import Permission

    request = DeliveryRequestFactory(dossier=ProcessedDossierFactory(), ward=units["phu_xuan"])
    user = official_of(request.dossier)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="delivery", codename__startswith="view_")
    )
    login_official(client, user)
    client.post(
        reverse("admin:delivery_deliveryrequest_changelist"),
        {"action": "create_shipments_now", "_selected_action": [request.pk]},
    )
    assert Shipment.objects.filter(delivery_request=request).exists()
