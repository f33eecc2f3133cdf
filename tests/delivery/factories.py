from __future__ import annotations

import factory

from delivery.constants import PaymentMethod, RequestState, WeightClass, Zone
from delivery.models import DeliveryOrigin, DeliveryRequest, Province, Ward
from tests.applications.factories import AgencyFactory, ProcessedDossierFactory


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name = factory.Sequence(lambda n: f"Tỉnh Số {n}")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n + 50000:05d}")
    name = factory.Sequence(lambda n: f"Phường Số {n}")
    province = factory.SubFactory(ProvinceFactory)


class DeliveryOriginFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryOrigin

    agency = factory.SubFactory(AgencyFactory)
    province = factory.SubFactory(ProvinceFactory)
    ward = None


class DeliveryRequestFactory(factory.django.DjangoModelFactory):
    """A confirmed request on a processed dossier (ready to be booked with the carrier)."""

    class Meta:
        model = DeliveryRequest

    dossier = factory.SubFactory(ProcessedDossierFactory)
    recipient_name = "Nguyễn Văn An"
    phone = "+84912345678"
    street_address = "12 Lê Lợi"
    ward = factory.SubFactory(WardFactory)
    province = factory.LazyAttribute(lambda o: o.ward.province)
    zone = Zone.OTHER_PROVINCE
    weight_class = WeightClass.UP_TO_250G
    fee = 28000
    payment_method = PaymentMethod.ONLINE
    state = RequestState.CONFIRMED
