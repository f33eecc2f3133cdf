from __future__ import annotations

import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications import services
from applications.constants import CalendarExceptionKind, DossierState
from applications.models import CalendarException, DossierEvent
from portal.notifications.models import OutboxEvent
from portal.notifications.services import enqueue_outbox
from tests.applications.factories import (
    FACTORY_BY_STATE,
    PDF_BYTES,
    AgencyFactory,
    DossierFactory,
    DossierPaperFactory,
    FeeFactory,
    NeedsSupplementDossierFactory,
    OfficialFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    SubmittedDossierFactory,
    UserFactory,
    ValidatedDossierFactory,
)

pytestmark = pytest.mark.django_db
S = DossierState
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ALL_STATES = list(S)


def freeze(monkeypatch, when: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)


def run(action: str, dossier, official_user):
    citizen = dossier.citizen
    if action == "validate":
        return services.dossier_validate(dossier=dossier, actor=official_user, note="Đủ")
    if action == "request_supplement":
        return services.dossier_request_supplement(dossier=dossier, actor=official_user, request_text="Bản sao CCCD")
    if action == "reject":
        return services.dossier_reject(dossier=dossier, actor=official_user, reason="Không thuộc thẩm quyền")
    if action == "process":
        return services.dossier_process(dossier=dossier, actor=official_user)
    if action == "deliver":
        return services.dossier_deliver(dossier=dossier, actor=official_user)
    if action == "withdraw":
        return services.dossier_withdraw(dossier=dossier, actor=citizen)
    if action == "resubmit":
        DossierPaperFactory(dossier=dossier, is_supplement=True)
        return services.dossier_resubmit(dossier=dossier, actor=citizen)
    raise AssertionError(action)


TRANSITIONS = {
    "validate": ({S.SUBMITTED}, S.VALIDATED),
    "request_supplement": ({S.SUBMITTED}, S.NEEDS_SUPPLEMENT),
    "reject": ({S.SUBMITTED, S.NEEDS_SUPPLEMENT, S.VALIDATED}, S.REJECTED),
    "process": ({S.VALIDATED}, S.PROCESSED),
    "deliver": ({S.PROCESSED}, S.DELIVERED),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.NEEDS_SUPPLEMENT}, S.WITHDRAWN),
    "resubmit": ({S.NEEDS_SUPPLEMENT}, S.SUBMITTED),
}
CASES = [(a, s, s in allowed) for a, (allowed, _t) in TRANSITIONS.items() for s in ALL_STATES]


@pytest.mark.parametrize(("action", "state", "allowed"), CASES, ids=[f"{a}-{s}" for a, s, _ in CASES])
def test_transition_allowed_and_refused_states(action, state, allowed, official, django_capture_on_commit_callbacks):
    dossier = FACTORY_BY_STATE[state](agency=official.agency)
    before = DossierEvent.objects.filter(dossier=dossier).count()
    with django_capture_on_commit_callbacks() as callbacks:
        if allowed:
            result = run(action, dossier, official.user)
        else:
            with pytest.raises(services.DossierTransitionError):
                run(action, dossier, official.user)
    dossier.refresh_from_db()
    events_after = list(DossierEvent.objects.filter(dossier=dossier).order_by("id"))
    if allowed:
        target = TRANSITIONS[action][1]
        assert result.state == dossier.state == target
        assert len(events_after) == before + 1
        event = events_after[-1]
        assert (event.from_state, event.to_state) == (state, target)
        expected_event = {"request_supplement": "supplement_requested"}.get(action, action + "ed").replace("eed", "ed")
        expected_event = {"withdrawed": "withdrawn", "submited": "submitted", "resubmited": "resubmitted"}.get(
            expected_event, expected_event
        )
        assert event.action == expected_event
        # The notification's outbox row is written with the event; commit queues its task.
        outbox = list(OutboxEvent.objects.filter(dossier_id=dossier.pk))
        notified = [c for c in callbacks if isinstance(c, partial) and c.func is enqueue_outbox]
        # A draft withdrawn was never seen by anybody: no notification.
        assert len(outbox) == len(notified) == (0 if state == S.DRAFT else 1)
        if outbox:
            assert outbox[0].event == expected_event
            assert notified[0].args == ([outbox[0].pk],)
    else:
        assert dossier.state == state
        assert len(events_after) == before
        assert callbacks == []
        assert not OutboxEvent.objects.filter(dossier_id=dossier.pk).exists()


@pytest.mark.parametrize("action", ["validate", "request_supplement", "reject"])
def test_official_of_another_agency_is_refused(action):
    other = OfficialFactory()
    dossier = SubmittedDossierFactory()
    with pytest.raises(services.DossierPermissionDenied):
        run(action, dossier, other.user)
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED
    assert not DossierEvent.objects.filter(dossier=dossier).exists()


def test_official_without_the_permission_is_refused():
    official = OfficialFactory(in_group=False)
    dossier = SubmittedDossierFactory(agency=official.agency)
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_validate(dossier=dossier, actor=official.user)


def test_citizen_cannot_validate_own_dossier():
    dossier = SubmittedDossierFactory()
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_validate(dossier=dossier, actor=dossier.citizen)


def test_other_citizen_cannot_withdraw():
    dossier = SubmittedDossierFactory()
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_withdraw(dossier=dossier, actor=UserFactory())


def test_inactive_official_is_refused(official):
    official.is_active = False
    official.save()
    dossier = SubmittedDossierFactory(agency=official.agency)
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_validate(dossier=dossier, actor=official.user)


def test_process_needs_the_fee_settled(official):
    dossier = ValidatedDossierFactory(agency=official.agency, fee_amount=50000)
    with pytest.raises(services.DossierTransitionError, match="(?i)fee|lệ phí"):
        services.dossier_process(dossier=dossier, actor=official.user)
    services.dossier_mark_fee_settled(dossier=dossier, reference="PAY-1")
    dossier = services.dossier_process(dossier=dossier, actor=official.user)
    assert dossier.state == S.PROCESSED


def test_process_stores_the_result_document(official):
    dossier = ValidatedDossierFactory(agency=official.agency)
    upload = SimpleUploadedFile("giay-chung-nhan.pdf", PDF_BYTES, content_type="application/pdf")
    dossier = services.dossier_process(dossier=dossier, actor=official.user, result_file=upload, note="Ký số")
    assert dossier.result_file.name.startswith(f"private/results/{dossier.public_id}/")
    assert "giay-chung-nhan" not in dossier.result_file.name


def test_deliver_by_post_from_the_system():
    dossier = FACTORY_BY_STATE[S.PROCESSED]()
    dossier = services.dossier_deliver(dossier=dossier, actor=None, channel="post")
    assert dossier.state == S.DELIVERED and dossier.delivery_channel == "post"
    assert DossierEvent.objects.get(dossier=dossier).actor is None


def test_system_cannot_deliver_at_the_counter():
    dossier = FACTORY_BY_STATE[S.PROCESSED]()
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_deliver(dossier=dossier, actor=None, channel="counter")


def test_reject_needs_a_reason(official):
    dossier = SubmittedDossierFactory(agency=official.agency)
    with pytest.raises(services.DossierError):
        services.dossier_reject(dossier=dossier, actor=official.user, reason="  ")


def test_fee_settled_is_idempotent_and_refused_before_submission():
    dossier = SubmittedDossierFactory(fee_amount=30000)
    services.dossier_mark_fee_settled(dossier=dossier, reference="R1")
    services.dossier_mark_fee_settled(dossier=dossier, reference="R2")
    dossier.refresh_from_db()
    assert dossier.fee_settled and dossier.fee_reference == "R1"
    assert DossierEvent.objects.filter(dossier=dossier, action="fee_settled").count() == 1
    with pytest.raises(services.DossierTransitionError):
        services.dossier_mark_fee_settled(dossier=DossierFactory(), reference="R3")


# --- Drafts and submission ---------------------------------------------------------------


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(processing_days=3)
    RequiredDocumentFactory(procedure=procedure, name="Giấy đề nghị")
    RequiredDocumentFactory(procedure=procedure, name="Bản sao CCCD")
    RequiredDocumentFactory(procedure=procedure, name="Giấy tờ khác", is_required=False)
    FeeFactory(procedure=procedure, amount=100000)
    return procedure


def _complete(dossier):
    for document in dossier.procedure.documents.filter(is_required=True):
        services.dossier_attach_paper(
            dossier=dossier,
            actor=dossier.citizen,
            uploaded=SimpleUploadedFile("giay.pdf", PDF_BYTES),
            required_document=document,
        )


def test_create_draft_prefills_from_the_profile(citizen, procedure):
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    assert dossier.state == S.DRAFT
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_citizen_id == citizen.citizen_id
    assert dossier.agency == procedure.agencies.first()
    assert dossier.code is None


def test_create_draft_refuses_a_procedure_not_online(citizen):
    procedure = ProcedureFactory(online_level="information")
    with pytest.raises(services.DossierError):
        services.dossier_create_draft(citizen=citizen, procedure=procedure)


def test_update_applicant_normalises_and_refuses_after_submit(citizen, procedure):
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    decomposed = "Nguye\u0302\u0303n  Thi\u0323 B"
    dossier = services.dossier_update_applicant(
        dossier=dossier, actor=citizen, data={"applicant_name": decomposed, "applicant_phone": "0912 000 111"}
    )
    assert dossier.applicant_name == "Nguyễn Thị B"
    assert dossier.applicant_phone == "+84912000111"
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_update_applicant(dossier=dossier, actor=UserFactory(), data={"applicant_name": "X"})


def test_submit_refuses_missing_papers(citizen, procedure):
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    with pytest.raises(services.DossierIncomplete) as info:
        services.dossier_submit(dossier=dossier, actor=citizen)
    assert len(info.value.missing) == 2
    dossier.refresh_from_db()
    assert dossier.state == S.DRAFT


def test_submit_sets_code_appointment_fee_and_pin(monkeypatch, citizen, procedure, django_capture_on_commit_callbacks):
    freeze(monkeypatch, dt.datetime(2026, 2, 13, 10, 0, tzinfo=HCM))
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    _complete(dossier)
    with django_capture_on_commit_callbacks() as callbacks:
        dossier = services.dossier_submit(dossier=dossier, actor=citizen)
    agency = dossier.agency
    assert dossier.state == S.SUBMITTED
    assert dossier.code == f"{agency.code}-260213-0001"
    assert dossier.appointment_date == dt.date(2026, 2, 25)  # Tết 16–20/02 does not count
    assert dossier.fee_amount == 100000
    assert len(dossier.lookup_pin) == 6 and dossier.lookup_pin.isdigit()
    outbox = OutboxEvent.objects.get(dossier_id=dossier.pk)
    assert outbox.event == "submitted"
    assert [c.args for c in callbacks if isinstance(c, partial)] == [([outbox.pk],)]
    second = DossierFactory(procedure=procedure, agency=agency, citizen=citizen)
    _complete(second)
    assert services.dossier_submit(dossier=second, actor=citizen).code == f"{agency.code}-260213-0002"


def test_double_submit_makes_one_code(citizen, procedure):
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    _complete(dossier)
    first = services.dossier_submit(dossier=dossier, actor=citizen)
    with pytest.raises(services.DossierTransitionError):
        services.dossier_submit(dossier=dossier, actor=citizen)
    assert DossierEvent.objects.filter(dossier=dossier, action="submitted").count() == 1
    dossier.refresh_from_db()
    assert dossier.code == first.code


def test_submitted_dossier_cannot_get_papers_or_edits(citizen, procedure):
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    _complete(dossier)
    services.dossier_submit(dossier=dossier, actor=citizen)
    with pytest.raises(services.DossierTransitionError):
        services.dossier_attach_paper(dossier=dossier, actor=citizen, uploaded=SimpleUploadedFile("a.pdf", PDF_BYTES))
    with pytest.raises(services.DossierTransitionError):
        services.dossier_update_applicant(dossier=dossier, actor=citizen, data={"applicant_name": "X"})


def test_attach_replaces_the_draft_paper_and_reuses_the_store(citizen, procedure):
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    document = procedure.documents.first()
    services.dossier_attach_paper(
        dossier=dossier,
        actor=citizen,
        uploaded=SimpleUploadedFile("cccd.pdf", PDF_BYTES),
        required_document=document,
        keep_in_store=True,
    )
    stored = citizen.personal_documents.get()
    paper = services.dossier_attach_paper(
        dossier=dossier, actor=citizen, personal_document=stored, required_document=document
    )
    assert dossier.papers.count() == 1
    assert paper.file.name != stored.file.name
    assert paper.file.read() == PDF_BYTES
    with pytest.raises(services.DossierPermissionDenied):
        services.dossier_attach_paper(
            dossier=DossierFactory(procedure=procedure), actor=UserFactory(), personal_document=stored
        )


def test_supplement_stops_the_clock_and_resubmission_restarts_it(monkeypatch, official, procedure):
    # Received Monday 02/03/2026 10:00, 3 working days: due Thursday 05/03.
    freeze(monkeypatch, dt.datetime(2026, 3, 2, 10, 0, tzinfo=HCM))
    dossier = DossierFactory(procedure=procedure, agency=official.agency)
    _complete(dossier)
    dossier = services.dossier_submit(dossier=dossier, actor=dossier.citizen)
    assert dossier.appointment_date == dt.date(2026, 3, 5)
    # Tuesday: one working day used, the clock stops.
    freeze(monkeypatch, dt.datetime(2026, 3, 3, 9, 0, tzinfo=HCM))
    dossier = services.dossier_request_supplement(dossier=dossier, actor=official.user, request_text="Bản sao CCCD")
    assert dossier.working_days_used == 1 and dossier.paused_at is not None
    # Resubmitted the next Monday at 18:00: day 0 is Tuesday 10/03, 2 days left → Thursday 12/03.
    freeze(monkeypatch, dt.datetime(2026, 3, 9, 18, 0, tzinfo=HCM))
    with pytest.raises(services.DossierIncomplete):
        services.dossier_resubmit(dossier=dossier, actor=dossier.citizen)
    services.dossier_attach_paper(
        dossier=dossier,
        actor=dossier.citizen,
        uploaded=SimpleUploadedFile("cccd.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
    )
    dossier = services.dossier_resubmit(dossier=dossier, actor=dossier.citizen)
    assert dossier.state == S.SUBMITTED
    assert dossier.paused_at is None
    assert dossier.appointment_date == dt.date(2026, 3, 12)


def test_appointment_honours_calendar_exceptions(monkeypatch, citizen, procedure):
    CalendarException.objects.create(date=dt.date(2026, 3, 3), kind=CalendarExceptionKind.DAY_OFF)
    freeze(monkeypatch, dt.datetime(2026, 3, 2, 10, 0, tzinfo=HCM))
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    _complete(dossier)
    assert services.dossier_submit(dossier=dossier, actor=citizen).appointment_date == dt.date(2026, 3, 6)


def test_rate_only_after_delivery_and_once():
    dossier = FACTORY_BY_STATE[S.DELIVERED]()
    with pytest.raises(services.DossierError):
        services.dossier_rate(dossier=dossier, actor=dossier.citizen, rating="great")
    services.dossier_rate(dossier=dossier, actor=dossier.citizen, rating="satisfied", comment="Nhanh")
    with pytest.raises(services.DossierTransitionError):
        services.dossier_rate(dossier=dossier, actor=dossier.citizen, rating="normal")
    with pytest.raises(services.DossierTransitionError):
        open_one = SubmittedDossierFactory()
        services.dossier_rate(dossier=open_one, actor=open_one.citizen, rating="normal")


def test_notification_is_queued_on_commit_not_on_rollback(official, django_capture_on_commit_callbacks):
    dossier = SubmittedDossierFactory(agency=official.agency)
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.dossier_validate(dossier=dossier, actor=official.user)
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert callbacks == []
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED
    assert not DossierEvent.objects.filter(dossier=dossier).exists()


def test_validation_notifies_the_citizen_after_commit(django_capture_on_commit_callbacks, mailoutbox, settings):
    from portal.notifications.models import Notification

    official = OfficialFactory()
    dossier = SubmittedDossierFactory(agency=official.agency)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.dossier_validate(dossier=dossier, actor=official.user)
    assert callbacks, "the notification is queued on commit, not inside the transaction"
    sent = Notification.objects.filter(recipient=dossier.citizen, event="dossier_validated")
    if settings.CELERY_TASK_ALWAYS_EAGER:  # embedded mode: written and sent inline after the commit
        assert sent.filter(channel="email", status="sent").exists()
        assert any(dossier.code in message.body for message in mailoutbox)
        assert not OutboxEvent.objects.exists()
    else:  # with Redis a worker writes and sends them (the worker tests in tests/notifications)
        assert not sent.exists()
        assert OutboxEvent.objects.filter(dossier_id=dossier.pk, event="validated").exists()


def test_rolled_back_validation_notifies_nobody(django_capture_on_commit_callbacks):
    from portal.notifications.models import Notification

    official = OfficialFactory()
    dossier = SubmittedDossierFactory(agency=official.agency)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_validate(dossier=dossier, actor=official.user)
        raise RuntimeError("rolled back")
    assert not Notification.objects.filter(recipient=dossier.citizen).exists()


def test_events_are_immutable():
    dossier = NeedsSupplementDossierFactory()
    event = DossierEvent.objects.create(dossier=dossier, at=timezone.now(), action="x", to_state="submitted")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(pk=event.pk).delete()


def test_state_field_is_protected():
    dossier = SubmittedDossierFactory()
    with pytest.raises(AttributeError):
        dossier.state = S.VALIDATED


def test_officials_act_only_on_their_agency_even_with_two_agencies():
    agency = AgencyFactory()
    mine = OfficialFactory(agency=agency)
    dossier = SubmittedDossierFactory(agency=agency)
    assert services.dossier_validate(dossier=dossier, actor=mine.user).state == S.VALIDATED


# --- What submission fixes: the fee, the working days, the code --------------------------------

FEE_CASES = [
    ("no line", [], 0),
    ("one general line", [(50000, "", None)], 50000),
    ("unconditional lines add up", [(50000, "", None), (20000, "", None)], 70000),
    ("alternatives: the lowest", [(50000, "Cấp mới", None), (30000, "Cấp lại", None)], 30000),
    ("conditional beside unconditional: the unconditional only", [(50000, "", None), (30000, "Cấp lại", None)], 50000),
    ("the online channel's line wins", [(50000, "", None), (25000, "", "online")], 25000),
    ("general lines win over another channel's", [(40000, "", "counter"), (60000, "", None)], 60000),
    ("only another channel's lines: they apply", [(40000, "", "counter")], 40000),
    ("a line without an amount is ignored", [(None, "", None), (40000, "", "counter")], 40000),
]


@pytest.mark.parametrize(("label", "lines", "expected"), FEE_CASES, ids=[c[0] for c in FEE_CASES])
def test_online_fee_rules(citizen, label, lines, expected):
    from tests.procedures.catalogue_factories import ChannelFactory

    procedure = ProcedureFactory()
    RequiredDocumentFactory(procedure=procedure)
    channels = {}
    for order, (amount, condition, channel) in enumerate(lines):
        if channel and channel not in channels:
            channels[channel] = ChannelFactory(procedure=procedure, channel=channel, time_unit="")
        FeeFactory(procedure=procedure, order=order, amount=amount, condition=condition, channel=channels.get(channel))
    assert services.procedure_online_fee(procedure) == expected, label
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    _complete(dossier)
    assert services.dossier_submit(dossier=dossier, actor=citizen).fee_amount == expected, label


DAYS_CASES = [
    # (channels as (order, channel, time, unit), the procedure's summary, expected)
    ("the online channel in working days", [(1, "online", 7, "working_days")], 3, 7),
    ("a fraction rounds up", [(1, "online", "2.5", "working_days")], 3, 3),
    ("the first in the catalogue's order", [(2, "online", 9, "working_days"), (1, "online", 4, "working_days")], 3, 4),
    ("a zero time is skipped", [(1, "online", 0, "working_days"), (2, "online", 6, "working_days")], 3, 6),
    ("calendar days do not count", [(1, "online", 10, "days")], 5, 5),
    ("another channel does not count", [(1, "counter", 2, "working_days")], 5, 5),
    ("no time at all: the default", [], None, 10),
]


@pytest.mark.parametrize(("label", "channels", "summary", "expected"), DAYS_CASES, ids=[c[0] for c in DAYS_CASES])
def test_processing_days_rules(citizen, settings, label, channels, summary, expected):
    from decimal import Decimal

    from tests.procedures.catalogue_factories import ChannelFactory

    settings.DOSSIER_DEFAULT_PROCESSING_DAYS = 10
    procedure = ProcedureFactory(processing_days=summary)
    RequiredDocumentFactory(procedure=procedure)
    for order, channel, time, unit in channels:
        ChannelFactory(procedure=procedure, order=order, channel=channel, time_value=Decimal(time), time_unit=unit)
    assert services.procedure_processing_days(procedure) == expected, label
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    _complete(dossier)
    assert services.dossier_submit(dossier=dossier, actor=citizen).processing_days == expected, label


def test_missing_papers_by_case_one_complete_case_is_enough(citizen):
    procedure = ProcedureFactory()
    common = RequiredDocumentFactory(procedure=procedure, name="Tờ khai")
    new_1 = RequiredDocumentFactory(procedure=procedure, name="Giấy A", group="Trường hợp cấp mới")
    RequiredDocumentFactory(procedure=procedure, name="Giấy B", group="Trường hợp cấp mới")
    again = RequiredDocumentFactory(procedure=procedure, name="Giấy C", group="Trường hợp cấp lại")
    RequiredDocumentFactory(procedure=procedure, name="Không bắt buộc", is_required=False)
    dossier = services.dossier_create_draft(citizen=citizen, procedure=procedure)
    # Nothing yet: the common paper and the case closest to complete.
    assert [d.name for d in services.missing_papers(dossier)] == ["Tờ khai", "Giấy C"]
    for document in (common, new_1):
        DossierPaperFactory(dossier=dossier, required_document=document)
    # One paper missing in each case: the first case listed.
    assert [d.name for d in services.missing_papers(dossier)] == ["Giấy B"]
    DossierPaperFactory(dossier=dossier, required_document=again)
    assert services.missing_papers(dossier) == []


def test_a_rolled_back_submission_gives_its_code_number_back(citizen, procedure):
    agency = procedure.agencies.first()
    day = dt.date(2026, 2, 13)
    assert services._next_code(agency_id=agency.pk, agency_code=agency.code, day=day) == f"{agency.code}-260213-0001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services._next_code(agency_id=agency.pk, agency_code="X", day=day) == "X-260213-0002"
        raise RuntimeError("the submission failed after taking its number")
    assert services._next_code(agency_id=agency.pk, agency_code=agency.code, day=day) == f"{agency.code}-260213-0002"
    # Each agency and each day counts on its own.
    other = AgencyFactory()
    assert services._next_code(agency_id=other.pk, agency_code=other.code, day=day).endswith("-0001")
    assert services._next_code(agency_id=agency.pk, agency_code=agency.code, day=day + dt.timedelta(days=1)).endswith(
        "-260214-0001"
    )
