"""A small catalogue with real names, shared by the search, page and API tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel
from procedures.models import Procedure
from procedures.search import procedure_refresh_search_text
from tests.procedures.catalogue_factories import (
    AgencyFactory,
    AliasFactory,
    ChannelFactory,
    FeeFactory,
    LevelFactory,
    ProcedureFactory,
    SectorFactory,
    StepFactory,
)


@dataclass
class SampleCatalogue:
    household_business: Procedure
    household_change: Procedure
    criminal_record: Procedure
    birth: Procedure
    marriage: Procedure
    building_permit: Procedure
    land_certificate: Procedure
    driving_licence: Procedure
    inactive: Procedure


def build_sample_catalogue() -> SampleCatalogue:
    province = LevelFactory(code=LevelCode.PROVINCE)
    district = LevelFactory(code=LevelCode.DISTRICT)
    commune = LevelFactory(code=LevelCode.COMMUNE)
    business = SectorFactory(code="ho-kinh-doanh", name="Thành lập và hoạt động của hộ kinh doanh")
    justice = SectorFactory(code="tu-phap", name="Tư pháp")
    civil = SectorFactory(code="ho-tich", name="Hộ tịch")
    building = SectorFactory(code="xay-dung", name="Xây dựng")
    land = SectorFactory(code="dat-dai", name="Đất đai")
    transport = SectorFactory(code="giao-thong", name="Đường bộ")
    finance_office = AgencyFactory(code="PTC-BA", name="Phòng Tài chính – Kế hoạch huyện Bình Sơn", level=district)
    justice_dept = AgencyFactory(code="STP-BA", name="Sở Tư pháp tỉnh Bình An", level=province)
    commune_office = AgencyFactory(code="UBX-AN", name="Ủy ban nhân dân xã An Phú", level=commune)
    transport_dept = AgencyFactory(code="SXD-BA", name="Sở Xây dựng tỉnh Bình An", level=province)

    household_business = ProcedureFactory(
        code="1.001612",
        name="Đăng ký thành lập hộ kinh doanh",
        sector=business,
        keywords="hộ cá thể, mở cửa hàng",
        online_level=OnlineLevel.FULL,
        popularity=50,
        processing_days=3,
        levels=[district, commune],
        agencies=[finance_office],
    )
    AliasFactory(procedure=household_business, phrase="giấy phép kinh doanh hộ cá thể")
    counter = ChannelFactory(procedure=household_business, channel=Channel.COUNTER, order=1)
    online = ChannelFactory(procedure=household_business, channel=Channel.ONLINE, order=2)
    FeeFactory(procedure=household_business, channel=counter, amount=100000, kind=FeeKind.CHARGE, order=1)
    FeeFactory(procedure=household_business, channel=online, amount=50000, kind=FeeKind.CHARGE, order=2)
    StepFactory(procedure=household_business, order=1, text="Nộp hồ sơ tại Bộ phận Một cửa cấp huyện.")

    household_change = ProcedureFactory(
        code="2.000575",
        name="Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        sector=business,
        popularity=10,
        levels=[district],
        agencies=[finance_office],
        online_level=OnlineLevel.PARTIAL,
    )
    criminal_record = ProcedureFactory(
        code="2.001417",
        name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        sector=justice,
        popularity=40,
        processing_days=10,
        levels=[province],
        agencies=[justice_dept],
        online_level=OnlineLevel.FULL,
    )
    AliasFactory(procedure=criminal_record, phrase="làm lý lịch tư pháp")
    birth = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        sector=civil,
        keywords="giấy khai sinh, làm giấy khai sinh cho con",
        popularity=60,
        processing_days=None,
        processing_time_text="Ngay trong ngày tiếp nhận hồ sơ",
        levels=[commune],
        agencies=[commune_office],
        online_level=OnlineLevel.FULL,
    )
    FeeFactory(procedure=birth, amount=0, kind=FeeKind.CHARGE, text="Miễn lệ phí")
    marriage = ProcedureFactory(
        code="1.000894",
        name="Đăng ký kết hôn",
        sector=civil,
        popularity=30,
        levels=[commune],
        agencies=[commune_office],
    )
    building_permit = ProcedureFactory(
        code="1.009994",
        name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        sector=building,
        keywords="xin phép xây nhà",
        popularity=20,
        levels=[district],
        agencies=[transport_dept],
    )
    land_certificate = ProcedureFactory(
        code="1.004227",
        name="Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
        sector=land,
        popularity=35,
        levels=[district],
    )
    AliasFactory(procedure=land_certificate, phrase="làm sổ đỏ")
    driving_licence = ProcedureFactory(
        code="1.002809",
        name="Đổi Giấy phép lái xe do ngành Giao thông vận tải cấp",
        sector=transport,
        popularity=45,
        levels=[province],
        agencies=[transport_dept],
        online_level=OnlineLevel.FULL,
    )
    inactive = ProcedureFactory(
        code="9.999999", name="Đăng ký hộ kinh doanh theo quy định cũ", sector=business, is_active=False
    )
    procedure_refresh_search_text()
    return SampleCatalogue(
        household_business=household_business,
        household_change=household_change,
        criminal_record=criminal_record,
        birth=birth,
        marriage=marriage,
        building_permit=building_permit,
        land_certificate=land_certificate,
        driving_licence=driving_licence,
        inactive=inactive,
    )


@pytest.fixture(name="catalogue")
def catalogue_fixture(db) -> SampleCatalogue:
    return build_sample_catalogue()
