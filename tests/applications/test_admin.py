from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from applications.constants import DossierState
from applications.models import DossierEvent
from tests.applications.factories import (
    DeliveredDossierFactory,
    DossierPaperFactory,
    NeedsSupplementDossierFactory,
    OfficialFactory,
    ProcessedDossierFactory,
    SubmittedDossierFactory,
    ValidatedDossierFactory,
)
from tests.conftest import login_official

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, official):
    login_official(client, official.user)
    return client


def test_changelist_shows_only_own_agency(desk, official, django_assert_max_num_queries):
    mine = [SubmittedDossierFactory(agency=official.agency) for _ in range(3)]
    other = SubmittedDossierFactory()
    with django_assert_max_num_queries(15):
        response = desk.get(reverse("admin:applications_dossier_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    for dossier in mine:
        assert dossier.code in body
    assert other.code not in body


@pytest.mark.parametrize("url_name", ["admin:applications_dossier_change", "admin:applications_dossier_history"])
def test_other_agency_dossier_by_url_is_404(desk, url_name):
    other = SubmittedDossierFactory()
    assert desk.get(reverse(url_name, args=[other.pk])).status_code == 404


@pytest.mark.parametrize("action", ["validate", "reject", "request_supplement"])
def test_other_agency_transition_by_url_is_404_and_changes_nothing(desk, action):
    other = SubmittedDossierFactory()
    url = reverse("admin:applications_dossier_transition", args=[other.pk, action])
    assert desk.get(url).status_code == 404
    assert desk.post(url, {"note": "x", "reason": "x", "request_text": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.state == DossierState.SUBMITTED


def test_change_page_shows_buttons_trail_and_papers(desk, official):
    dossier = SubmittedDossierFactory(agency=official.agency)
    paper = DossierPaperFactory(dossier=dossier)
    body = desk.get(reverse("admin:applications_dossier_change", args=[dossier.pk])).content.decode()
    assert reverse("admin:applications_dossier_transition", args=[dossier.pk, "validate"]) in body
    assert reverse("admin:applications_dossier_transition", args=[dossier.pk, "process"]) not in body
    assert paper.get_download_url() in body
    response = desk.get(paper.get_download_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_validate_through_confirmation_page(desk, official):
    dossier = SubmittedDossierFactory(agency=official.agency)
    url = reverse("admin:applications_dossier_transition", args=[dossier.pk, "validate"])
    assert desk.get(url).status_code == 200
    response = desk.post(url, {"note": "Hồ sơ đầy đủ"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.VALIDATED
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.actor, event.note) == (official.user, "Hồ sơ đầy đủ")


def test_reject_requires_reason_and_second_click_gets_message(desk, official):
    dossier = SubmittedDossierFactory(agency=official.agency)
    url = reverse("admin:applications_dossier_transition", args=[dossier.pk, "reject"])
    assert desk.post(url, {"reason": ""}).status_code == 200
    assert desk.post(url, {"reason": "Sai thẩm quyền"}).status_code == 302
    response = desk.post(url, {"reason": "Sai thẩm quyền"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_process_with_unpaid_fee_shows_the_reason(desk, official):
    dossier = ValidatedDossierFactory(agency=official.agency, fee_amount=20000)
    url = reverse("admin:applications_dossier_transition", args=[dossier.pk, "process"])
    response = desk.post(url, {"note": ""})
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.state == DossierState.VALIDATED


def test_overdue_filter_and_highlight(desk, official):
    import datetime as dt

    from django.utils import timezone

    late = SubmittedDossierFactory(agency=official.agency, appointment_date=timezone.localdate() - dt.timedelta(days=3))
    on_time = SubmittedDossierFactory(
        agency=official.agency, appointment_date=timezone.localdate() + dt.timedelta(days=30)
    )
    body = desk.get(reverse("admin:applications_dossier_changelist") + "?due=overdue").content.decode()
    assert late.code in body and on_time.code not in body
    assert "due-overdue" in body


def test_dossiers_cannot_be_deleted_or_added(desk, official):
    dossier = SubmittedDossierFactory(agency=official.agency)
    assert desk.get(reverse("admin:applications_dossier_delete", args=[dossier.pk])).status_code == 403
    assert desk.get(reverse("admin:applications_dossier_add")).status_code == 403


def test_staff_without_official_row_sees_nothing(client):
    user = OfficialFactory().user
    user.official.delete()
    login_official(client, user)
    dossier = SubmittedDossierFactory()
    body = client.get(reverse("admin:applications_dossier_changelist")).content.decode()
    assert dossier.code not in body


def test_paper_and_receipt_of_another_agency_are_404_for_an_official(desk):
    other = SubmittedDossierFactory()
    paper = DossierPaperFactory(dossier=other)
    assert desk.get(paper.get_download_url()).status_code == 404
    assert desk.get(reverse("applications:receipt", kwargs={"public_id": other.public_id})).status_code == 404


def test_calendar_exception_can_be_added_by_an_official(desk):
    response = desk.post(
        reverse("admin:applications_calendarexception_add"),
        {"date": "22/08/2026", "kind": "working_day", "description": "Làm bù cho thứ Hai 31/08"},
    )
    assert response.status_code == 302
    import datetime as dt

    from applications.calendar import is_working_day

    assert is_working_day(dt.date(2026, 8, 22))


# --- The work queue (applications.queue) -------------------------------------------------------


def _queue(client) -> str:
    response = client.get(reverse("admin:applications_dossier_queue"))
    assert response.status_code == 200
    return response.content.decode()


def test_work_queue_lists_own_agency_open_dossiers_most_urgent_first(desk, official):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    later = SubmittedDossierFactory(agency=official.agency, appointment_date=today + dt.timedelta(days=30))
    late = ValidatedDossierFactory(agency=official.agency, appointment_date=today - dt.timedelta(days=2))
    waiting = NeedsSupplementDossierFactory(agency=official.agency)
    to_hand_over = ProcessedDossierFactory(agency=official.agency)
    done = DeliveredDossierFactory(agency=official.agency)
    other = SubmittedDossierFactory()
    body = _queue(desk)
    # Overdue first, then by date; then results to hand over; then those waiting for papers.
    positions = [body.index(d.code) for d in (late, later, to_hand_over, waiting)]
    assert positions == sorted(positions)
    assert done.code not in body and other.code not in body
    assert "due-overdue" in body
    assert reverse("admin:applications_dossier_change", args=[late.pk]) in body
    # The counts: one of each, one of them overdue.
    assert "<strong>1</strong> quá hạn" in body
    assert "<strong>1</strong> chờ tiếp nhận (mới nộp)" in body
    assert "<strong>1</strong> chờ công dân bổ sung giấy tờ" in body


def test_work_queue_shows_an_officials_action_at_once(desk, official, django_capture_on_commit_callbacks):
    dossier = SubmittedDossierFactory(agency=official.agency)
    assert "Đã nộp, chờ tiếp nhận" in _queue(desk)  # now cached for this agency
    url = reverse("admin:applications_dossier_transition", args=[dossier.pk, "validate"])
    with django_capture_on_commit_callbacks(execute=True):
        assert desk.post(url, {"note": ""}).status_code == 302
    body = _queue(desk)
    row = body[body.index(f">{dossier.code}</a></th>") :].split("</tr>")[0]
    with translation.override("vi"):
        assert f"<td>{DossierState.VALIDATED.label}</td>" in row  # the row's status cell
    assert "<strong>0</strong> chờ tiếp nhận (mới nộp)" in body
    assert "<strong>1</strong> đang giải quyết (đã tiếp nhận)" in body


def test_work_queue_is_cached_per_agency_and_language(desk, official, django_assert_max_num_queries):
    SubmittedDossierFactory(agency=official.agency)
    _queue(desk)
    with django_assert_max_num_queries(5) as captured:
        body = _queue(desk)
    assert not any("applications_dossier" in q["sql"] for q in captured.captured_queries)
    assert official.agency.name in body
    desk.cookies["django_language"] = "en"
    assert "to accept (submitted)" in _queue(desk)


def test_admin_home_links_to_the_work_queue(desk):
    body = desk.get(reverse("admin:index")).content.decode()
    assert reverse("admin:applications_dossier_queue") in body and "Việc cần xử lý" in body
    # The back office is the portal's, in the queue's hand-made context too.
    assert "Trang cán bộ" in body and "Django" not in body.split("<body")[1].split("</header>")[0]
    assert "<title>Việc cần xử lý | Trang cán bộ</title>" in _queue(desk)


def test_work_queue_is_each_agencys_own(client, official):
    """Two agencies' officials in turn: each sees their own rows and counts, never the
    other's cached ones."""
    mine = SubmittedDossierFactory(agency=official.agency)
    other_official = OfficialFactory()
    theirs = [SubmittedDossierFactory(agency=other_official.agency) for _ in range(2)]
    for _ in range(2):  # the second round comes from the cache
        login_official(client, official.user)
        body = _queue(client)
        assert mine.code in body and all(d.code not in body for d in theirs)
        assert "<strong>1</strong> chờ tiếp nhận (mới nộp)" in body
        login_official(client, other_official.user)
        body = _queue(client)
        assert mine.code not in body and all(d.code in body for d in theirs)
        assert "<strong>2</strong> chờ tiếp nhận (mới nộp)" in body


def test_work_queue_knows_overdue_again_the_next_day(desk, official, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    dossier = SubmittedDossierFactory(agency=official.agency, appointment_date=today + dt.timedelta(days=1))
    assert "due-overdue" not in _queue(desk)
    # Two days later, within the cache's lifetime: the entry of the other day is not used.
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=2))
    body = _queue(desk)
    assert "due-overdue" in body and dossier.code in body
    assert "<strong>1</strong> quá hạn" in body


def test_work_queue_is_refused_without_the_view_permission(client, official):
    from django.contrib.auth.models import Group

    user = official.user
    user.user_permissions.clear()
    for group in Group.objects.filter(user=user):
        group.user_set.remove(user)
    login_official(client, user)
    assert client.get(reverse("admin:applications_dossier_queue")).status_code == 403


def test_work_queue_of_an_inactive_official_shows_nothing(client, official):
    SubmittedDossierFactory(agency=official.agency)
    official.is_active = False
    official.save()
    login_official(client, official.user)
    body = _queue(client)
    assert "chưa gắn với cơ quan nào" in body and "result_list" not in body


def test_a_dossier_saved_while_the_cache_is_down_is_saved(
    desk, official, monkeypatch, django_capture_on_commit_callbacks
):
    """The queue's cache is dropped after commit: a cache that cannot be reached is logged,
    the transition stands, and the callbacks after it (the notification) still run."""
    from functools import partial

    from applications import queue
    from portal.notifications.services import enqueue_outbox
    from tests.conftest import unreachable_cache

    dossier = SubmittedDossierFactory(agency=official.agency)
    monkeypatch.setattr(queue, "cache", unreachable_cache())
    url = reverse("admin:applications_dossier_transition", args=[dossier.pk, "validate"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert desk.post(url, {"note": ""}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.VALIDATED
    assert [c for c in callbacks if isinstance(c, partial) and c.func is enqueue_outbox]
    assert dossier.code in _queue(desk)  # rendered from the database


def test_work_queue_without_an_agency_or_permission(client):
    user = OfficialFactory().user
    user.official.delete()
    login_official(client, user)
    SubmittedDossierFactory()
    body = _queue(client)
    assert "chưa gắn với cơ quan nào" in body
    assert "result_list" not in body


def test_work_queue_needs_the_admin(client, citizen):
    url = reverse("admin:applications_dossier_queue")
    # portal.security's gate hides the back office from anyone but signed-in staff.
    assert client.get(url).status_code == 404
    client.force_login(citizen)
    assert client.get(url).status_code == 404
