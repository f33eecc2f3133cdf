from __future__ import annotations

from decimal import Decimal

import factory

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel
from procedures.models import (
    AdministrativeLevel,
    Agency,
    Fee,
    Procedure,
    ProcedureAlias,
    ProcedureChannel,
    ProcedureResult,
    RequiredDocument,
    Step,
)


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeLevel
        django_get_or_create = ["code"]

    code = LevelCode.COMMUNE
    name = "Cấp xã"
    rank = 2


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = "Ủy ban nhân dân xã Hòa Phong"
    level = factory.SubFactory(LevelFactory)
    address = "Thôn Túy Loan, xã Hòa Phong"
    phone = "0236 3846 123"
    opening_hours = "Sáng từ 7 giờ 30 đến 11 giờ 30, chiều từ 13 giờ 30 đến 17 giờ"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    online_level = OnlineLevel.INFORMATION


def household_business() -> Procedure:
    """The seed of the issue: 1.001612, with the province's fee and time."""
    procedure = ProcedureFactory(
        code="1.001612",
        name="Đăng ký thành lập hộ kinh doanh",
        processing_days=Decimal(3),
        online_level=OnlineLevel.PARTIAL,
        result_location="Bộ phận Một cửa của Ủy ban nhân dân xã",
    )
    procedure.agencies.add(AgencyFactory(name="Phòng Kinh tế Ủy ban nhân dân xã Hòa Phong"))
    for phrase in ["giấy phép kinh doanh hộ cá thể", "đăng ký kinh doanh hộ cá thể"]:
        ProcedureAlias.objects.create(procedure=procedure, phrase=phrase)
    counter = ProcedureChannel.objects.create(procedure=procedure, order=0, channel=Channel.COUNTER)
    ProcedureChannel.objects.create(procedure=procedure, order=1, channel=Channel.ONLINE)
    Fee.objects.create(procedure=procedure, channel=counter, kind=FeeKind.CHARGE, amount=50000, text="50.000 đồng")
    Step.objects.create(procedure=procedure, order=1, text="Bước 1: Chủ hộ kinh doanh nộp hồ sơ tại Bộ phận Một cửa.")
    Step.objects.create(
        procedure=procedure, order=2, text="Bước 2: Cơ quan đăng ký kinh doanh cấp xã trao giấy biên nhận."
    )
    Step.objects.create(
        procedure=procedure, order=3, text="Bước 3: Trong 03 ngày làm việc, cấp Giấy chứng nhận đăng ký hộ kinh doanh."
    )
    RequiredDocument.objects.create(
        procedure=procedure, order=1, name="Giấy đề nghị đăng ký hộ kinh doanh", originals=1
    )
    RequiredDocument.objects.create(
        procedure=procedure, order=2, name="Bản sao giấy tờ pháp lý của cá nhân chủ hộ kinh doanh", copies=1
    )
    ProcedureResult.objects.create(procedure=procedure, order=1, name="Giấy chứng nhận đăng ký hộ kinh doanh")
    return procedure


def small_catalogue() -> dict[str, Procedure]:
    procedures = {"business": household_business()}
    procedures["birth"] = ProcedureFactory(
        code="1.001193", name="Thủ tục đăng ký khai sinh", processing_days=Decimal(1)
    )
    procedures["marriage"] = ProcedureFactory(
        code="1.000894", name="Thủ tục đăng ký kết hôn", processing_days=Decimal(5)
    )
    procedures["death"] = ProcedureFactory(code="1.000656", name="Thủ tục đăng ký khai tử")
    procedures["build_works"] = ProcedureFactory(
        code="1.013225", name="Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV"
    )
    procedures["build_house"] = ProcedureFactory(
        code="1.013230", name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    )
    procedures["record"] = ProcedureFactory(
        code="3.000333",
        name="Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
    )
    procedures["residence"] = ProcedureFactory(code="1.002755", name="Gia hạn tạm trú")
    procedures["licence"] = ProcedureFactory(code="3.000348", name="Cấp lại giấy phép lái xe")
    return procedures
