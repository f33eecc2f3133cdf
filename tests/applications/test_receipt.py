from __future__ import annotations

import datetime as dt
import io
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.applications.factories import (
    AgencyFactory,
    DossierFactory,
    DossierPaperFactory,
    SubmittedDossierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def dossier(citizen):
    agency = AgencyFactory(name="UBND phường Bến Thành")
    dossier = SubmittedDossierFactory(
        agency=agency,
        citizen=citizen,
        applicant_name="Nguyễn Văn Ân",
        applicant_address="12 Lê Lợi, phường Bến Thành",
        procedure__name="Đăng ký thành lập hộ kinh doanh",
        code="XA001-260302-0007",
        received_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        appointment_date=dt.date(2026, 3, 5),
        fee_amount=100000,
        lookup_pin="482913",
    )
    DossierPaperFactory(dossier=dossier, title="Giấy đề nghị đăng ký hộ kinh doanh")
    DossierPaperFactory(dossier=dossier, title="Bản sao Căn cước công dân")
    return dossier


def test_receipt_pdf_has_the_text_with_diacritics(client, citizen, dossier):
    client.force_login(citizen)
    response = client.get(reverse("applications:receipt", kwargs={"public_id": dossier.public_id}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.content)
    for expected in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Cổng Dịch vụ công",
        "UBND phường Bến Thành",
        "XA001-260302-0007",
        "Nguyễn Văn Ân",
        "Đăng ký thành lập hộ kinh doanh",
        "Giấy đề nghị đăng ký hộ kinh doanh",
        "Bản sao Căn cước công dân",
        "02/03/2026",
        "05/03/2026",
        "100.000 đ",
        "482913",
    ]:
        assert expected in text, (expected, text)


def test_receipt_of_another_citizen_or_a_draft_is_404(client, dossier):
    client.force_login(UserFactory())
    assert client.get(reverse("applications:receipt", kwargs={"public_id": dossier.public_id})).status_code == 404
    draft = DossierFactory()
    client.force_login(draft.citizen)
    assert client.get(reverse("applications:receipt", kwargs={"public_id": draft.public_id})).status_code == 404


def test_detail_page_links_the_receipt(client, citizen, dossier):
    client.force_login(citizen)
    body = client.get(dossier.get_absolute_url()).content.decode()
    assert reverse("applications:receipt", kwargs={"public_id": dossier.public_id}) in body
