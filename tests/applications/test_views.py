from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import calendar, services
from applications.constants import DossierState
from applications.models import Dossier, DossierEvent
from tests.applications.factories import (
    FACTORY_BY_STATE,
    PDF_BYTES,
    PNG_BYTES,
    DossierFactory,
    DossierPaperFactory,
    NeedsSupplementDossierFactory,
    PersonalDocumentFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    SubmittedDossierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = DossierState
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(processing_days=5)
    RequiredDocumentFactory(procedure=procedure, name="Giấy đề nghị đăng ký")
    return procedure


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def draft(citizen, procedure):
    return services.dossier_create_draft(citizen=citizen, procedure=procedure)


def url(name, dossier, **kw):
    return reverse(f"applications:{name}", kwargs={"public_id": dossier.public_id, **kw})


def test_start_lists_only_online_procedures(client, procedure):
    offline = ProcedureFactory(online_level="information", name="Thủ tục chỉ tại quầy")
    body = client.get(reverse("applications:start")).content.decode()
    assert reverse("applications:create", kwargs={"code": procedure.code}) in body
    assert offline.code not in body


def test_create_needs_login(client, procedure):
    response = client.post(reverse("applications:create", kwargs={"code": procedure.code}))
    assert response.status_code == 302 and "/dang-nhap" in response.url or "login" in response.url
    assert not Dossier.objects.exists()


def test_create_starts_a_prefilled_draft(signed_in, citizen, procedure):
    response = signed_in.post(reverse("applications:create", kwargs={"code": procedure.code}))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == url("applicant", dossier)
    page = signed_in.get(response.url).content.decode()
    assert "Nguyễn Văn An" in page and citizen.citizen_id in page


def test_applicant_step_saves_and_goes_to_papers(signed_in, draft):
    data = {
        "applicant_name": "Nguyễn Văn Ân",
        "applicant_citizen_id": "001090012345",
        "applicant_date_of_birth": "17/05/1990",
        "applicant_phone": "0912 345 678",
        "applicant_address": "1 Hàng Bài",
        "applicant_email": "",
    }
    response = signed_in.post(url("applicant", draft), data)
    assert response.status_code == 302 and response.url == url("papers", draft)
    draft.refresh_from_db()
    assert draft.applicant_name == "Nguyễn Văn Ân" and str(draft.applicant_date_of_birth) == "1990-05-17"


def test_applicant_step_shows_errors_next_to_fields(signed_in, draft):
    response = signed_in.post(url("applicant", draft), {"applicant_name": "", "applicant_citizen_id": "12"})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


def test_upload_then_refused_file_keeps_what_was_saved(signed_in, draft, procedure):
    document = procedure.documents.get()
    upload_url = url("paper_upload", draft, slot=str(document.pk))
    response = signed_in.post(upload_url, {"file": SimpleUploadedFile("don.pdf", PDF_BYTES)})
    assert response.status_code == 302
    assert draft.papers.count() == 1
    # A renamed executable is refused with a message; the paper already saved stays.
    response = signed_in.post(upload_url, {"file": SimpleUploadedFile("don.pdf", EXE)})
    assert response.status_code == 400
    assert "PDF, JPEG" in response.content.decode()
    assert draft.papers.count() == 1
    assert draft.papers.get().content_type == "application/pdf"


def test_too_large_upload_is_refused(signed_in, draft, settings):
    settings.DOSSIER_MAX_UPLOAD_BYTES = 1000
    response = signed_in.post(
        url("paper_upload", draft, slot="khac"),
        {"title": "Ảnh", "file": SimpleUploadedFile("anh.png", PNG_BYTES + b"0" * 2000)},
    )
    assert response.status_code in (400, 413)
    assert not draft.papers.exists()


def test_reuse_from_the_personal_store(signed_in, citizen, draft, procedure):
    stored = PersonalDocumentFactory(owner=citizen)
    document = procedure.documents.get()
    response = signed_in.post(url("paper_upload", draft, slot=str(document.pk)), {"personal_document": stored.pk})
    assert response.status_code == 302
    assert draft.papers.get().required_document == document


def test_someone_elses_store_document_cannot_be_used(signed_in, draft, procedure):
    foreign = PersonalDocumentFactory()
    response = signed_in.post(
        url("paper_upload", draft, slot=str(procedure.documents.get().pk)), {"personal_document": foreign.pk}
    )
    assert response.status_code == 400
    assert not draft.papers.exists()


def test_review_lists_missing_then_submit_once(signed_in, draft, procedure, django_capture_on_commit_callbacks):
    assert "Giấy đề nghị đăng ký" in signed_in.get(url("review", draft)).content.decode()
    assert signed_in.post(url("submit", draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.DRAFT  # missing paper
    DossierPaperFactory(dossier=draft, required_document=procedure.documents.get())
    with django_capture_on_commit_callbacks(execute=False):
        first = signed_in.post(url("submit", draft))
        second = signed_in.post(url("submit", draft))
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED and draft.code
    assert first.url == second.url == url("detail", draft)
    assert DossierEvent.objects.filter(dossier=draft, action="submitted").count() == 1
    assert signed_in.get(url("applicant", draft)).status_code == 302  # no longer editable


def test_my_dossiers_shows_status_next_step_with_bounded_queries(signed_in, citizen, django_assert_max_num_queries):
    for state in (S.SUBMITTED, S.NEEDS_SUPPLEMENT, S.VALIDATED, S.DELIVERED):
        for _ in range(3):
            FACTORY_BY_STATE[state](citizen=citizen)
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("applications:my_dossiers"))
    body = response.content.decode()
    assert "Chờ bổ sung hồ sơ" in body
    assert "Hãy tải lên" in body or "Tải lên" in body


def test_detail_shows_timeline_and_supplement_flow(signed_in, citizen):
    dossier = NeedsSupplementDossierFactory(citizen=citizen)
    body = signed_in.get(url("detail", dossier)).content.decode()
    assert "Bản sao CCCD" in body
    response = signed_in.post(
        url("paper_upload", dossier, slot="khac"),
        {"title": "Bản sao CCCD", "file": SimpleUploadedFile("c.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302 and response.url == url("detail", dossier)
    response = signed_in.post(url("resubmit", dossier), {"note": "Đã bổ sung"})
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED
    body = signed_in.get(url("detail", dossier)).content.decode()
    assert "Đã nộp bổ sung hồ sơ" in body


def test_withdraw_with_confirmation(signed_in, citizen):
    dossier = SubmittedDossierFactory(citizen=citizen)
    assert signed_in.get(url("withdraw", dossier)).status_code == 200
    assert signed_in.post(url("withdraw", dossier), {"note": ""}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == S.WITHDRAWN


def test_rating_after_delivery(signed_in, citizen):
    dossier = FACTORY_BY_STATE[S.DELIVERED](citizen=citizen)
    assert signed_in.post(url("rate", dossier), {"rating": "bogus"}).status_code == 400
    assert signed_in.post(url("rate", dossier), {"rating": "satisfied", "comment": "Tốt"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.rating == "satisfied"


OWNED_URLS = [
    ("detail", {}),
    ("applicant", {}),
    ("papers", {}),
    ("paper_upload", {"slot": "khac"}),
    ("review", {}),
    ("submit", {}),
    ("resubmit", {}),
    ("withdraw", {}),
    ("rate", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), OWNED_URLS)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_another_citizens_dossier_is_404_for_every_method(signed_in, name, kwargs, method):
    other = SubmittedDossierFactory(citizen=UserFactory())
    response = getattr(signed_in, method)(url(name, other, **kwargs))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == S.SUBMITTED


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_another_citizens_paper_and_result_are_404(signed_in, method):
    other = SubmittedDossierFactory(citizen=UserFactory())
    paper = DossierPaperFactory(dossier=other)
    assert getattr(signed_in, method)(url("paper_download", other, paper_id=paper.pk)).status_code == 404
    assert getattr(signed_in, method)(url("paper_remove", other, paper_id=paper.pk)).status_code == 404
    assert getattr(signed_in, method)(url("result_download", other)).status_code == 404


def test_own_paper_downloads_as_attachment_with_safe_name(signed_in, citizen):
    dossier = DossierFactory(citizen=citizen)
    paper = DossierPaperFactory(dossier=dossier, original_name="Giấy tờ.pdf")
    response = signed_in.get(paper.get_download_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "private/" not in response["Content-Disposition"]


# --- Public lookup -------------------------------------------------------------------------------


def test_lookup_shows_status_and_date_only(client):
    dossier = SubmittedDossierFactory(lookup_pin="246810", applicant_phone="+84912345678")
    response = client.post(reverse("applications:lookup"), {"code": dossier.code.lower(), "secret": "246810"})
    body = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in body and dossier.appointment_date.strftime("%d/%m/%Y") in body
    for private in (dossier.applicant_name, dossier.applicant_citizen_id, dossier.applicant_address, "0912"):
        assert private not in body
    response = client.post(reverse("applications:lookup"), {"code": dossier.code, "secret": "5678"})
    assert response.status_code == 200 and dossier.code in response.content.decode()


def test_lookup_wrong_secret_and_drafts_are_not_found(client):
    dossier = SubmittedDossierFactory(lookup_pin="246810")
    response = client.post(reverse("applications:lookup"), {"code": dossier.code, "secret": "000000"})
    assert response.status_code == 404
    assert "Chờ tiếp nhận" not in response.content.decode()


def test_lookup_is_rate_limited_per_ip_and_per_code(client):
    dossier = SubmittedDossierFactory(lookup_pin="246810")
    for _ in range(10):
        assert (
            client.post(reverse("applications:lookup"), {"code": dossier.code, "secret": "111111"}).status_code == 404
        )
    blocked = client.post(reverse("applications:lookup"), {"code": dossier.code, "secret": "246810"})
    assert blocked.status_code == 429
    assert "10 phút" in blocked.content.decode()
    # Another address guessing the same code is blocked too (per code).
    other_ip = client.post(
        reverse("applications:lookup"), {"code": dossier.code, "secret": "246810"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 429


def test_detail_page_query_count_does_not_grow_with_events(signed_in, citizen, django_assert_max_num_queries):
    dossier = SubmittedDossierFactory(citizen=citizen)
    for i in range(15):
        DossierEvent.objects.create(
            dossier=dossier, actor=citizen, at=dossier.received_at, action="submitted", note=str(i)
        )
        DossierPaperFactory(dossier=dossier)
    with django_assert_max_num_queries(12):
        response = signed_in.get(url("detail", dossier))
    assert response.status_code == 200


# --- The submission path's work, pinned (make bench sends exactly these two requests) ----------

# Upload: the required paper (joined with the citizen's dossier: an ownership check too); in
# the transaction, the citizen's dossier locked, the paper it replaces, the new paper, the
# dossier's updated_at. Submit: in the transaction,
# the citizen's dossier locked (with its agency's code and procedure's days), the missing
# papers, the online channel's time, the fee lines, the code counter, the dossier, its
# event, the event's notification outbox row (rendered and sent by the worker). Not read: the
# user's row (cached by portal.auth), the dossier before its locked read, the personal store,
# the calendar exceptions (cached), the pages' prefetches, the citizen's row. Savepoints stand for
# BEGIN and COMMIT here (the test runs in a transaction).
UPLOAD_QUERIES = 7
SUBMIT_QUERIES = 10


def test_upload_and_submit_query_counts_are_pinned(
    signed_in, citizen, draft, procedure, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    PersonalDocumentFactory(owner=citizen)  # never read by a plain upload
    document = procedure.documents.get()
    signed_in.get(url("papers", draft))  # the session's sign-in clock is set by a first request
    calendar.add_working_days(timezone.localdate(), 1)  # a running portal has the calendar cached
    with django_assert_max_num_queries(UPLOAD_QUERIES):
        response = signed_in.post(
            url("paper_upload", draft, slot=str(document.pk)), {"file": SimpleUploadedFile("don.pdf", PDF_BYTES)}
        )
    assert response.status_code == 302 and draft.papers.count() == 1
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(SUBMIT_QUERIES):
        response = signed_in.post(url("submit", draft))
    assert response.status_code == 302 and response.url == url("detail", draft)
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED and draft.code


def test_refused_upload_shows_the_personal_store_again(signed_in, citizen, draft, procedure):
    stored = PersonalDocumentFactory(owner=citizen, title="CCCD đã lưu")
    document = procedure.documents.get()
    response = signed_in.post(
        url("paper_upload", draft, slot=str(document.pk)), {"file": SimpleUploadedFile("a.pdf", EXE)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "PDF, JPEG" in body
    assert 'name="personal_document"' in body and f'value="{stored.pk}"' in body and "CCCD đã lưu" in body


@pytest.mark.parametrize("slot", ["abc", "99999999999999999999999", "0", "other-procedure"])
def test_upload_to_an_unknown_paper_slot_is_404(signed_in, draft, slot):
    if slot == "other-procedure":
        slot = str(RequiredDocumentFactory().pk)
    response = signed_in.post(url("paper_upload", draft, slot=slot), {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)})
    assert response.status_code == 404
    assert not draft.papers.exists()


def test_action_urls_answer_405_to_other_methods_on_own_dossier(signed_in, draft):
    for name, kwargs in (("submit", {}), ("paper_upload", {"slot": "khac"})):
        assert signed_in.get(url(name, draft, **kwargs)).status_code == 405
        assert signed_in.delete(url(name, draft, **kwargs)).status_code == 405
    assert signed_in.get(url("submit", UUIDDossier())).status_code == 404


def UUIDDossier():
    import uuid

    return Dossier(public_id=uuid.uuid4())


def test_second_submit_is_a_quiet_redirect(signed_in, draft, procedure):
    from django.contrib.messages import get_messages

    DossierPaperFactory(dossier=draft, required_document=procedure.documents.get())
    first = signed_in.post(url("submit", draft))
    assert [m.level_tag for m in get_messages(first.wsgi_request)] == ["success"]
    signed_in.get(first.url)  # the page shows (and uses up) the message
    second = signed_in.post(url("submit", draft))
    assert second.status_code == 302 and second.url == url("detail", draft)
    assert list(get_messages(second.wsgi_request)) == []


def test_upload_to_a_submitted_dossier_redirects_without_storing(signed_in, citizen, procedure):
    dossier = SubmittedDossierFactory(citizen=citizen, procedure=procedure)
    document = procedure.documents.get()
    for slot, data in ((str(document.pk), {}), ("khac", {"title": "Ảnh"})):
        response = signed_in.post(
            url("paper_upload", dossier, slot=slot), {**data, "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
        )
        assert response.status_code == 302 and response.url == url("detail", dossier)
        # An invalid form too: the dossier's state is answered before the form's errors.
        response = signed_in.post(url("paper_upload", dossier, slot=slot), data)
        assert response.status_code == 302 and response.url == url("detail", dossier)
    assert not dossier.papers.exists()


def test_supplement_upload_goes_back_to_the_dossier_page(signed_in, citizen):
    dossier = NeedsSupplementDossierFactory(citizen=citizen)
    response = signed_in.post(
        url("paper_upload", dossier, slot="khac"), {"title": "CCCD", "file": SimpleUploadedFile("c.pdf", PDF_BYTES)}
    )
    assert response.status_code == 302 and response.url == url("detail", dossier)
    assert dossier.papers.get().is_supplement
    refused = signed_in.post(
        url("paper_upload", dossier, slot="khac"), {"title": "CCCD", "file": SimpleUploadedFile("c.pdf", EXE)}
    )
    assert refused.status_code == 400 and "PDF, JPEG" in refused.content.decode()


def test_upload_kept_in_the_store_from_a_temporary_file_is_complete_in_both_places(
    signed_in, citizen, draft, procedure, settings
):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE Django spools the upload to a temporary file, which the
    # file storage moves into place: the store's copy is then read through the open file.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64
    content = PDF_BYTES[:-6] + b"%" + b"x" * 5000 + b"\n%%EOF\n"
    response = signed_in.post(
        url("paper_upload", draft, slot=str(procedure.documents.get().pk)),
        {"file": SimpleUploadedFile("don.pdf", content), "keep_in_store": "on"},
    )
    assert response.status_code == 302
    paper, stored = draft.papers.get(), citizen.personal_documents.get()
    assert paper.file.read() == content and stored.file.read() == content
    assert paper.file.name != stored.file.name and paper.sha256 == stored.sha256 and stored.size == len(content)
