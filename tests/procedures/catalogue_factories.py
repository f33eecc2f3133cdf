"""Factories of the catalogue for the search, page, API and admin tests."""

from __future__ import annotations

import factory

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel
from procedures.models import (
    AdministrativeLevel,
    Agency,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureAlias,
    ProcedureChannel,
    ProcedureResult,
    RequiredDocument,
    Sector,
    Step,
)

LEVEL_NAMES = {
    LevelCode.MINISTRY: ("Cấp Bộ", 0),
    LevelCode.PROVINCE: ("Cấp Tỉnh", 1),
    LevelCode.DISTRICT: ("Cấp Huyện", 2),
    LevelCode.COMMUNE: ("Cấp Xã", 3),
    LevelCode.OTHER: ("Cơ quan khác", 4),
}


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeLevel
        django_get_or_create = ("code",)

    code = LevelCode.PROVINCE
    name = factory.LazyAttribute(lambda o: LEVEL_NAMES[o.code][0])
    rank = factory.LazyAttribute(lambda o: LEVEL_NAMES[o.code][1])


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"linh-vuc-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CQ{n:03d}")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân xã số {n}")
    level = factory.SubFactory(LevelFactory, code=LevelCode.COMMUNE)
    address = "1 Trần Hưng Đạo, phường Bình An"
    phone = "0281 3823 456"
    opening_hours = "Thứ Hai đến Thứ Sáu, 7:30–11:30 và 13:30–17:00"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    sector = factory.SubFactory(SectorFactory)
    processing_days = 5
    online_level = OnlineLevel.INFORMATION

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if create and extracted:
            self.levels.set(extracted)

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureAlias

    procedure = factory.SubFactory(ProcedureFactory)
    phrase = factory.Sequence(lambda n: f"tên gọi khác {n}")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureChannel

    procedure = factory.SubFactory(ProcedureFactory)
    channel = Channel.COUNTER
    time_value = 3
    time_unit = "working_days"
    time_text = "03 ngày làm việc"


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    procedure = factory.SubFactory(ProcedureFactory)
    kind = FeeKind.CHARGE
    amount = 50000
    text = "Lệ phí: 50.000 đồng"


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = "Nộp hồ sơ tại Bộ phận Một cửa."


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Tờ khai theo mẫu"
    originals = 1
    copies = 0


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureResult

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Giấy chứng nhận"


class LegalBasisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalBasis

    procedure = factory.SubFactory(ProcedureFactory)
    title = "Nghị định số 01/2021/NĐ-CP về đăng ký doanh nghiệp"
    number = "01/2021/NĐ-CP"
