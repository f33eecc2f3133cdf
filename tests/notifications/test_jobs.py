"""The periodic jobs over dossiers (due-soon digest, overdue flagging) and dossier events.

The tests that need the dossier model run once the dossiers app is merged; before that,
the jobs must skip cleanly."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from portal.notifications import services
from portal.notifications.constants import Channel, Event
from portal.notifications.models import Notification, OverdueNotice


@pytest.mark.django_db  # the dossier app's calendar reads the province's declared exceptions
def test_add_working_days_skips_weekends_and_public_holidays():
    # 30/4 and 1/5 are holidays (Thursday and Friday), then the weekend.
    assert services.add_working_days(datetime.date(2026, 4, 29), 1) == datetime.date(2026, 5, 4)
    assert services.add_working_days(datetime.date(2026, 11, 27), 1) == datetime.date(2026, 11, 30)


def test_digest_groups_by_agency_sorted_by_date_with_overdue_marked():
    today = datetime.date(2026, 11, 30)
    rows = [
        SimpleNamespace(pk=1, code="A-2", agency_id=1, appointment_date=today, procedure=SimpleNamespace(name="P")),
        SimpleNamespace(
            pk=2, code="A-1", agency_id=1, appointment_date=today - datetime.timedelta(days=1), procedure=None
        ),
        SimpleNamespace(pk=3, code="B-1", agency_id=2, appointment_date=today, procedure=None),
    ]
    groups = services.digest_groups(rows, today=today)
    assert [d["code"] for d in groups[1]] == ["A-1", "A-2"]
    assert [d["overdue"] for d in groups[1]] == [True, False]
    assert [d["code"] for d in groups[2]] == ["B-1"]


@pytest.mark.django_db
def test_silent_and_unknown_dossier_events_notify_nobody(caplog):
    assert services.notify_dossier_event(dossier_id=1, event="rated") == []
    assert services.notify_dossier_event(dossier_id=1, event="exploded") == []
    assert "unknown dossier event" in caplog.text


# --- With the dossier model (after the merge) ---------------------------------------------


@pytest.fixture
def dossier_factories():
    return pytest.importorskip("tests.applications.factories")


@pytest.mark.django_db
def test_dossier_event_notifies_the_citizen_with_the_dossier_data(
    dossier_factories, django_capture_on_commit_callbacks
):
    dossier = dossier_factories.SubmittedDossierFactory()
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.notify_dossier_event(dossier_id=dossier.pk, event="submitted")
    assert {n.channel for n in rows} >= {Channel.SITE, Channel.EMAIL}
    email = next(n for n in rows if n.channel == Channel.EMAIL)
    assert dossier.code in email.subject
    assert dossier.appointment_date.strftime("%d/%m/%Y") in email.body_text
    assert (email.related_type, email.related_id) == ("applications.dossier", str(dossier.pk))
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_due_soon_digest_once_a_day_per_official(dossier_factories):
    f = dossier_factories
    today = timezone.localdate()
    official = f.OfficialFactory()
    due = f.SubmittedDossierFactory(appointment_date=today + datetime.timedelta(days=1))
    due.agency = official.agency
    due.save(update_fields=["agency"])
    later = f.ValidatedDossierFactory(appointment_date=today + datetime.timedelta(days=20))
    later.agency = official.agency
    later.save(update_fields=["agency"])
    f.SubmittedDossierFactory(appointment_date=today)  # another agency
    assert services.officials_send_due_soon_digest(today=today) == 1
    digest = Notification.objects.get(
        recipient=official.user, event=Event.OFFICIAL_DUE_SOON_DIGEST, channel=Channel.EMAIL
    )
    assert due.code in digest.body_text
    assert later.code not in digest.body_text
    assert services.officials_send_due_soon_digest(today=today) == 0


@pytest.mark.django_db
def test_overdue_dossier_gets_one_apology_with_a_new_date(dossier_factories):
    f = dossier_factories
    today = timezone.localdate()
    late = f.SubmittedDossierFactory(appointment_date=today - datetime.timedelta(days=1))
    official = f.OfficialFactory()
    late.agency = official.agency
    late.save(update_fields=["agency"])
    f.NeedsSupplementDossierFactory(appointment_date=today - datetime.timedelta(days=3))  # clock stopped
    f.ValidatedDossierFactory(appointment_date=today)  # due today: not late yet
    assert services.dossiers_flag_overdue(today=today) == 1
    notice = OverdueNotice.objects.get()
    assert notice.dossier_id == late.pk and notice.new_date > today
    apology = Notification.objects.get(recipient=late.citizen, event=Event.DOSSIER_OVERDUE_APOLOGY, channel="email")
    assert notice.new_date.strftime("%d/%m/%Y") in apology.body_text
    assert "xin lỗi" in apology.body_text
    assert Notification.objects.filter(recipient=official.user, event=Event.OFFICIAL_OVERDUE_ALERT).exists()
    assert services.dossiers_flag_overdue(today=today) == 0
