from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from procedures.constants import Channel, FeeKind, OnlineLevel
from procedures.search import procedure_refresh_search_text
from tests.procedures.catalogue_factories import (
    AgencyFactory,
    ChannelFactory,
    DocumentFactory,
    FeeFactory,
    LegalBasisFactory,
    ProcedureFactory,
    ResultFactory,
    StepFactory,
)
from tests.procedures.sample_catalogue import catalogue_fixture  # noqa: F401 - the "catalogue" fixture

pytestmark = pytest.mark.django_db
LIST_URL = reverse("procedures:list")


def test_list_finds_without_diacritics_and_shows_facts(client, catalogue):
    response = client.get(LIST_URL, {"q": "dang ky ho kinh doanh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng ký thành lập hộ kinh doanh" in html
    assert html.index("Đăng ký thành lập hộ kinh doanh") < html.index("Đăng ký thay đổi nội dung")
    assert "Thành lập và hoạt động của hộ kinh doanh" in html  # sector
    assert "Cấp Huyện" in html  # level
    assert "50.000 đ – 100.000 đ" in html  # fee summary
    assert "Tìm thấy 2 thủ tục" in html
    assert 'class="badge"' in html  # fully online


def test_list_shows_free_procedures_as_free(client, catalogue):
    html = client.get(LIST_URL, {"q": "khai sinh"}).content.decode()
    assert "Miễn phí" in html
    assert "Ngay trong ngày" in html


def test_filters_are_selects_and_narrow_results(client, catalogue):
    response = client.get(LIST_URL, {"sector": "ho-tich", "online": "on"})
    html = response.content.decode()
    assert '<select name="sector"' in html
    assert '<option value="ho-tich" selected>Hộ tịch</option>' in html
    assert "Đăng ký khai sinh" in html
    assert "Đăng ký kết hôn" not in html


def test_unknown_filter_value_is_reported_and_ignored(client, catalogue):
    response = client.get(LIST_URL, {"q": "khai sinh", "sector": "khong-ton-tai"})
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in response.content.decode()
    assert response.context["form"].errors["sector"]


def test_empty_result_says_so_and_suggests(client, catalogue):
    html = client.get(LIST_URL, {"q": "qxqzw wqzqx", "level": "province"}).content.decode()
    assert "Không tìm thấy thủ tục" in html
    assert "tìm không dùng bộ lọc" in html.lower() or "bỏ bộ lọc" in html.lower()
    assert "Đăng ký khai sinh" in html  # most used procedures suggested


def test_pagination_keeps_the_query(client, db):
    for n in range(25):
        ProcedureFactory(code=f"5.{n:06d}", name=f"Cấp giấy phép khai thác số {n}")
    html = client.get(LIST_URL, {"q": "giay phep khai thac", "online": ""}).content.decode()
    assert "q=giay+phep+khai+thac" in html and "page=2" in html
    assert "Kết quả tìm kiếm, trang 1" in html
    second = client.get(LIST_URL, {"q": "giay phep khai thac", "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert not second.context["page"].has_next and "page=1" in second.content.decode()
    assert client.get(LIST_URL, {"q": "giay phep khai thac", "page": "abc"}).context["page"].number == 1


def _many(count: int) -> None:
    district = AgencyFactory().level
    for n in range(count):
        procedure = ProcedureFactory(name=f"Cấp giấy phép khai thác cát số {n}", levels=[district])
        FeeFactory(procedure=procedure, amount=n * 1000)
    procedure_refresh_search_text()


@pytest.mark.parametrize("count", [3, 20])
def test_list_query_count_does_not_grow_with_results(client, django_assert_max_num_queries, count):
    _many(count)
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL, {"q": "giay phep khai thac cat"})
    assert len(response.context["page"].object_list) == count


@pytest.fixture
def full_procedure(db):
    agency = AgencyFactory(name="Bộ phận Một cửa UBND huyện Bình Sơn", address="2 Lê Lợi", phone="0281 3823 456")
    procedure = ProcedureFactory(
        code="1.000001",
        name="Cấp giấy phép kinh doanh karaoke",
        online_level=OnlineLevel.PARTIAL,
        processing_days=5,
        processing_time_text="05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        conditions="Phòng hát có diện tích từ 20 m² trở lên",
        result_location="Tại Bộ phận Một cửa hoặc qua đường bưu điện",
        agencies=[agency],
    )
    counter = ChannelFactory(procedure=procedure, channel=Channel.COUNTER, order=1, time_value=5)
    ChannelFactory(procedure=procedure, channel=Channel.ONLINE, order=2, time_value=4)
    FeeFactory(procedure=procedure, channel=counter, amount=2_000_000, kind=FeeKind.FEE, condition="tại thành phố")
    FeeFactory(procedure=procedure, amount=0, kind=FeeKind.CHARGE, order=2)
    with_form = DocumentFactory(procedure=procedure, name="Đơn đề nghị cấp giấy phép", form_name="Mẫu số 01")
    with_form.form_file.save("mau-01.docx", ContentFile(b"blank form"))
    DocumentFactory(
        procedure=procedure, name="Bản sao giấy chứng nhận đăng ký doanh nghiệp", originals=0, copies=1, order=2
    )
    StepFactory(procedure=procedure, order=1, text="Nộp hồ sơ")
    StepFactory(procedure=procedure, order=2, text="Nhận kết quả")
    ResultFactory(procedure=procedure, name="Giấy phép kinh doanh dịch vụ karaoke")
    LegalBasisFactory(procedure=procedure, title="Nghị định 54/2019/NĐ-CP", number="54/2019/NĐ-CP")
    return procedure


def test_detail_shows_everything_a_citizen_needs(client, full_procedure, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = client.get(full_procedure.get_absolute_url())
    html = response.content.decode()
    for text in [
        "Cấp giấy phép kinh doanh karaoke",
        "Bộ phận Một cửa UBND huyện Bình Sơn",
        "2 Lê Lợi",
        "0281 3823 456",
        "5 ngày làm việc",
        "05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "2.000.000 đ",
        "Miễn phí",
        "tại thành phố",
        "Đơn đề nghị cấp giấy phép",
        "Mẫu số 01",
        "Nộp hồ sơ",
        "Giấy phép kinh doanh dịch vụ karaoke",
        "Tại Bộ phận Một cửa hoặc qua đường bưu điện",
        "Phòng hát có diện tích",
        "54/2019/NĐ-CP",
        "Trực tuyến",
    ]:
        assert text in html, text
    assert (
        reverse(
            "procedures:blank_form", kwargs={"code": "1.000001", "document_id": full_procedure.documents.first().pk}
        )
        in html
    )


def test_detail_query_count_does_not_grow(client, full_procedure, django_assert_max_num_queries):
    for n in range(10):
        StepFactory(procedure=full_procedure, order=10 + n)
        DocumentFactory(procedure=full_procedure, order=10 + n)
        FeeFactory(procedure=full_procedure, order=10 + n)
    with django_assert_max_num_queries(14):
        assert client.get(full_procedure.get_absolute_url()).status_code == 200


def test_blank_form_downloads(client, full_procedure):
    document = full_procedure.documents.get(name="Đơn đề nghị cấp giấy phép")
    response = client.get(reverse("procedures:blank_form", kwargs={"code": "1.000001", "document_id": document.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"blank form"
    assert "attachment" in response["Content-Disposition"]


def test_blank_form_of_another_procedure_is_404(client, full_procedure):
    document = full_procedure.documents.first()
    other = ProcedureFactory()
    url = reverse("procedures:blank_form", kwargs={"code": other.code, "document_id": document.pk})
    assert client.get(url).status_code == 404


def test_inactive_or_unknown_procedure_is_404(client, db):
    hidden = ProcedureFactory(is_active=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("procedures:detail", kwargs={"code": "0.000000"})).status_code == 404


def test_submit_online_button_only_when_the_applications_page_exists(client, full_procedure):
    from django.urls import NoReverseMatch

    html = client.get(full_procedure.get_absolute_url()).content.decode()
    try:
        create_url = reverse("applications:create", kwargs={"code": full_procedure.code})
    except NoReverseMatch:
        assert "Nộp hồ sơ trực tuyến" not in html
    else:
        assert create_url in html and "Nộp hồ sơ trực tuyến" in html


def test_information_only_procedure_has_no_submit_button(client, db, settings):
    procedure = ProcedureFactory(online_level=OnlineLevel.INFORMATION)
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert reverse("applications:create", kwargs={"code": procedure.code}) not in html


def test_submit_online_button_links_to_the_applications_page(client, full_procedure, settings):
    settings.ROOT_URLCONF = "tests.procedures.urls_with_applications"
    html = client.get(full_procedure.get_absolute_url()).content.decode()
    assert 'href="/ho-so/1.000001/nop/"' in html
    assert "Nộp hồ sơ trực tuyến" in html


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 1), ("", 1), ("abc", 1), ("-3", 1), ("0", 1), ("7", 7), ("99999", 500)]
)
def test_page_numbers_from_the_query_string_are_clamped(value, expected):
    from procedures.pagination import page_number

    assert page_number(value) == expected
