"""The audit trail: what it records, who may read it, and that nobody can change it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from portal.security.constants import SECURITY_OFFICER_GROUP, AuditAction
from portal.security.models import AuditEntry, AuditEntryImmutable
from portal.security.services import audit_record
from tests.security.conftest import admin_url, sign_in, totp_code
from tests.security.factories import PASSWORD, CitizenFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Linux; Android 14) Chrome/131"


def actions(**filters) -> list[str]:
    return list(AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True))


@pytest.fixture
def superuser_client(mfa_admin_client):
    user = mfa_admin_client.user
    user.is_superuser = True
    user.save()
    return mfa_admin_client


def test_official_sign_in_is_recorded_with_address_and_browser(official_with_totp):
    client = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    sign_in(client, official_with_totp)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == official_with_totp
    assert entry.actor_email == official_with_totp.email
    assert entry.ip_address == "203.0.113.7"
    assert entry.user_agent == BROWSER


def test_citizen_sign_in_is_not_an_official_event(client, resident):
    sign_in(client, resident)
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()


def test_failed_sign_in_of_an_official_is_recorded(client, official):
    client.post(reverse("account_login"), {"login": official.email, "password": "doan mo mat khau"})
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.actor_email == official.email
    assert entry.object_id == str(official.pk)
    assert entry.ip_address == "127.0.0.1"


def test_failed_sign_in_of_a_citizen_or_unknown_address_is_not_recorded(client, resident):
    client.post(reverse("account_login"), {"login": resident.email, "password": "doan mo mat khau"})
    client.post(reverse("account_login"), {"login": "khong.co@example.vn", "password": "doan mo mat khau"})
    assert not AuditEntry.objects.exists()


def test_forwarded_address_is_ignored_unless_a_proxy_is_trusted(official, settings):
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    client.post(reverse("account_login"), {"login": official.email, "password": "sai"})
    assert AuditEntry.objects.get().ip_address == "10.0.0.2"

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.post(reverse("account_login"), {"login": official.email, "password": "sai nua"})
    assert AuditEntry.objects.order_by("id").last().ip_address == "198.51.100.9"


def test_second_factor_failures_and_changes_are_recorded(
    client, official_with_totp, django_capture_on_commit_callbacks
):
    sign_in(client, official_with_totp)
    client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})
    assert actions(action=AuditAction.SECOND_FACTOR_FAILED) == ["mfa_failed"]
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    assert AuditAction.SECOND_FACTOR_RESET in actions(actor=official_with_totp)

    official_with_totp.is_staff = False  # a citizen may remove it
    official_with_totp.save()
    client.post(reverse("mfa_deactivate_totp"))
    assert AuditAction.SECOND_FACTOR_REMOVED in actions(actor=official_with_totp)


def test_password_change_is_recorded_with_the_sessions_it_ended(client, resident):
    other = Client()
    sign_in(other, resident)
    sign_in(client, resident)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "bon mua xuan ha thu dong", "password2": "bon mua xuan ha thu dong"},
    )
    assert actions(actor=resident) == [AuditAction.PASSWORD_CHANGED, AuditAction.SESSIONS_ENDED]
    assert AuditEntry.objects.get(action=AuditAction.SESSIONS_ENDED).changes == "1"


def test_email_change_is_recorded(client, resident):
    sign_in(client, resident)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"email": "moi@example.vn", "action_add": ""})
    entry = AuditEntry.objects.get(action=AuditAction.EMAIL_CHANGED)
    assert entry.changes == "+ moi@example.vn"


def test_admin_add_change_and_delete_are_recorded(superuser_client):
    client = superuser_client
    response = client.post(
        admin_url("portal/user/add/"),
        {"email": "moi.cb@binhan.gov.vn", "password1": "", "password2": "", "usable_password": "false"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = AuditEntry.objects.get(action=AuditAction.ADMIN_ADDITION)
    assert added.object_type == "portal.user"
    assert added.object_repr == "moi.cb@binhan.gov.vn"
    assert added.actor == client.user
    assert added.ip_address == "192.0.2.44"

    citizen = CitizenFactory()
    page = client.get(admin_url(f"portal/user/{citizen.pk}/change/"))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"full_name": "Đổi Tên", "groups": [], "user_permissions": []})
    data["date_of_birth"] = ""
    response = client.post(admin_url(f"portal/user/{citizen.pk}/change/"), data)
    assert response.status_code == 302, page.context["adminform"].form.errors
    changed = AuditEntry.objects.get(action=AuditAction.ADMIN_CHANGE)
    assert changed.object_id == str(citizen.pk)
    assert "changed" in changed.changes

    response = client.post(admin_url(f"portal/user/{citizen.pk}/delete/"), {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEntry.objects.get(action=AuditAction.ADMIN_DELETION)
    assert deleted.object_id == str(citizen.pk)


def test_bulk_delete_from_the_admin_records_each_object(superuser_client):
    victims = [CitizenFactory(), CitizenFactory()]
    response = superuser_client.post(
        admin_url("portal/user/"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in victims], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(action=AuditAction.ADMIN_DELETION)
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(u.pk) for u in victims)

    single = CitizenFactory()
    superuser_client.post(
        admin_url("portal/user/"), {"action": "delete_selected", "_selected_action": [single.pk], "post": "yes"}
    )
    assert AuditEntry.objects.filter(action=AuditAction.ADMIN_DELETION, object_id=str(single.pk)).count() == 1


def test_entries_cannot_be_changed_or_deleted(official):
    entry = audit_record(action=AuditAction.LOGIN, actor=official, request=None)
    entry.action = AuditAction.LOGOUT
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    with pytest.raises(AuditEntryImmutable):
        entry.delete()
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(action=AuditAction.LOGOUT)
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.LOGIN


def test_deleting_a_user_keeps_the_trail(official):
    audit_record(action=AuditAction.LOGIN, actor=official, request=None)
    email = official.email
    official.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor_email == email


@pytest.mark.postgres
def test_database_refuses_updates_and_deletes_on_postgresql(official):
    from django.db import DatabaseError, connection, transaction

    entry = audit_record(action=AuditAction.LOGIN, actor=official, request=None)
    for sql in (
        "UPDATE security_auditentry SET action = 'logout' WHERE id = %s",
        "DELETE FROM security_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action=AuditAction.LOGIN).exists()


def test_only_security_officers_read_the_trail(mfa_admin_client, official):
    entry = audit_record(action=AuditAction.LOGIN, actor=official, request=None)
    url = admin_url("security/auditentry/")
    assert mfa_admin_client.get(url).status_code == 403

    mfa_admin_client.user.groups.add(Group.objects.get(name=SECURITY_OFFICER_GROUP))
    listing = mfa_admin_client.get(url)
    assert listing.status_code == 200
    assert official.email in listing.content.decode()
    detail = mfa_admin_client.get(admin_url(f"security/auditentry/{entry.pk}/change/"))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


@pytest.mark.parametrize("is_superuser", [False, True])
def test_nobody_can_edit_the_trail_in_the_admin(mfa_admin_client, official, is_superuser):
    user = mfa_admin_client.user
    user.is_superuser = is_superuser
    user.save()
    user.groups.add(Group.objects.get(name=SECURITY_OFFICER_GROUP))
    entry = audit_record(action=AuditAction.LOGIN, actor=official, request=None)
    base = admin_url(f"security/auditentry/{entry.pk}/")
    assert mfa_admin_client.post(base + "change/", {"action": "logout"}).status_code == 403
    assert mfa_admin_client.post(base + "delete/", {"post": "yes"}).status_code == 403
    assert mfa_admin_client.get(admin_url("security/auditentry/add/")).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.LOGIN


def test_security_officer_group_has_only_the_view_permission():
    group = Group.objects.get(name=SECURITY_OFFICER_GROUP)
    assert [p.codename for p in group.permissions.all()] == ["view_auditentry"]
