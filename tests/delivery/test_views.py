from __future__ import annotations

import pytest
from django.urls import reverse

from applications.constants import DossierState
from delivery.constants import RequestState
from delivery.models import DeliveryRequest
from tests.applications.factories import FACTORY_BY_STATE, UserFactory
from tests.delivery.helpers import signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(citizen, units, tariff):
    return FACTORY_BY_STATE[DossierState.SUBMITTED](citizen=citizen)


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def url(name, dossier):
    return reverse(f"delivery:{name}", kwargs={"public_id": dossier.public_id})


def form_data(units, **overrides):
    return {
        "recipient_name": "Nguyễn Văn An",
        "phone": "0912345678",
        "street_address": "12 Lê Lợi",
        "province": units["hue"].code,
        "ward": units["thuan_hoa"].code,
        "payment_method": "online",
        **overrides,
    }


@pytest.mark.parametrize("name", ["request", "confirm"])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_another_citizens_delivery_pages_are_404(client, dossier, units, name, method):
    client.force_login(UserFactory())
    response = getattr(client, method)(url(name, dossier), form_data(units) if method == "post" else None)
    assert response.status_code == 404
    assert not DeliveryRequest.objects.exists()


def test_anonymous_is_sent_to_login(client, dossier):
    response = client.get(url("request", dossier))
    assert response.status_code == 302 and "next=" in response.url


def test_two_steps_without_javascript(signed_in, dossier, units):
    first = signed_in.get(url("request", dossier)).content.decode()
    assert 'name="tinh"' in first and "Thành phố Huế" in first and 'name="ward"' not in first
    second = signed_in.get(url("request", dossier), {"tinh": units["hue"].code}).content.decode()
    assert 'name="ward"' in second
    assert "Phường Thuận Hóa" in second and "Phường Hoàn Kiếm" not in second  # only that province's wards


def test_ward_from_another_province_shows_the_error_next_to_the_field(signed_in, dossier, units):
    response = signed_in.post(url("request", dossier), form_data(units, ward=units["hoan_kiem"].code))
    assert response.status_code == 200
    assert response.context["form"].errors["ward"] == [
        "Phường Hoàn Kiếm không thuộc Thành phố Huế: hãy chọn một phường, xã của tỉnh, thành phố này."
    ]
    assert not DeliveryRequest.objects.exists()


def test_fee_is_shown_before_confirming(signed_in, dossier, units):
    response = signed_in.post(url("request", dossier), form_data(units))
    assert response.status_code == 302 and response.url == url("confirm", dossier)
    page = signed_in.get(response.url).content.decode()
    assert "28.000 đ" in page
    assert DeliveryRequest.objects.get().state == RequestState.PENDING
    response = signed_in.post(url("confirm", dossier), {"confirm": "1"})
    assert response.status_code == 302 and response.url == dossier.get_absolute_url()
    assert DeliveryRequest.objects.get().state == RequestState.CONFIRMED


def test_cancel_from_the_confirmation_page(signed_in, dossier, units):
    signed_in.post(url("request", dossier), form_data(units))
    signed_in.post(url("confirm", dossier), {"cancel": "1"})
    assert DeliveryRequest.objects.get().state == RequestState.CANCELLED


def test_closed_dossier_page_says_why(signed_in, citizen, units):
    dossier = FACTORY_BY_STATE[DossierState.REJECTED](citizen=citizen)
    page = signed_in.get(url("request", dossier)).content.decode()
    assert 'name="tinh"' not in page and "message-error" in page


def test_dossier_page_links_to_delivery_and_shows_the_timeline(
    signed_in, citizen, units, tariff, carrier_http, django_capture_on_commit_callbacks
):
    from delivery import services
    from tests.delivery.factories import DeliveryRequestFactory

    request = DeliveryRequestFactory(
        dossier=FACTORY_BY_STATE[DossierState.PROCESSED](citizen=citizen), ward=units["phu_xuan"]
    )
    detail = signed_in.get(request.dossier.get_absolute_url()).content.decode()
    assert url("request", request.dossier) in detail
    with django_capture_on_commit_callbacks(execute=True):
        shipment = services.delivery_dispatch_processed(dossier_id=request.dossier_id)
    signed_post(signed_in, tracking=shipment.tracking_number, status="in_transit")
    detail = signed_in.get(request.dossier.get_absolute_url()).content.decode()
    assert shipment.tracking_number in detail
    assert "tracking-heading" in detail
    assert url("request", request.dossier) not in detail  # booked: no more changes


def test_public_lookup_shows_the_status_and_tracking_number_only(client, units, tariff, carrier_http):
    from delivery import services
    from tests.delivery.factories import DeliveryRequestFactory

    request = DeliveryRequestFactory(ward=units["phu_xuan"])
    shipment = services.delivery_dispatch_processed(dossier_id=request.dossier_id)
    response = client.post(reverse("applications:lookup"), {"code": request.dossier.code, "secret": "123456"})
    page = response.content.decode()
    assert shipment.tracking_number in page
    assert "12 Lê Lợi" not in page and "Phú Xuân" not in page and request.recipient_name not in page


def test_dossier_page_block_costs_two_queries_at_most(
    rf, citizen, units, tariff, carrier_http, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.template import Context, Template

    from delivery import services
    from tests.delivery.factories import DeliveryRequestFactory

    request = DeliveryRequestFactory(
        dossier=FACTORY_BY_STATE[DossierState.PROCESSED](citizen=citizen), ward=units["phu_xuan"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_dispatch_processed(dossier_id=request.dossier_id)
    http_request = rf.get("/")
    http_request.user = citizen
    template = Template("{% load delivery_tags %}{% shipment_timeline dossier %}")
    with django_assert_num_queries(2):  # the request with its parcel, then the parcel's events
        html = template.render(Context({"dossier": request.dossier, "request": http_request}))
    assert request.shipment.tracking_number in html
