"""Citizen accounts: sign up, confirm the e-mail, log in, fill in the profile, log out."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_signup_confirm_login_profile_logout(client, django_user_model):
    response = client.post(
        reverse("account_signup"),
        {"email": "Binh.Tran@Example.vn", "password1": "mot hai ba bon nam", "password2": "mot hai ba bon nam"},
    )
    assert response.status_code == 302
    user = django_user_model.objects.get(email="binh.tran@example.vn")
    # Mandatory verification: not logged in yet, a confirmation e-mail went out in Vietnamese.
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert "Xác nhận" in mail.outbox[0].subject or "xác nhận" in mail.outbox[0].body
    link = re.search(r"https?://\S+/tai-khoan/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    response = client.post(
        reverse("portal:profile"),
        {
            "full_name": "  Tra\u0302\u0300n   Thị Bình ",
            "citizen_id": "001190012345",
            "date_of_birth": "17/05/1990",
            "phone": "0987 654 321",
            "address": "5 Trần Phú, Hà Đông",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Trần Thị Bình"
    assert user.phone == "+84987654321"
    assert user.date_of_birth.isoformat() == "1990-05-17"

    page = client.get(reverse("portal:profile")).content.decode()
    assert 'value="17/05/1990"' in page

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:profile")).status_code == 302


def test_unverified_email_cannot_log_in(client, django_user_model):
    django_user_model.objects.create_user(email="chua@example.vn", password="mot hai ba bon nam")
    response = client.post(reverse("account_login"), {"login": "chua@example.vn", "password": "mot hai ba bon nam"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302  # to the "verification sent" page
    assert len(mail.outbox) == 1


def test_invalid_profile_keeps_what_was_typed_and_explains(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("portal:profile"),
        {
            "full_name": "Nguyễn Văn An",
            "citizen_id": "12345",
            "date_of_birth": "31/02/1990",
            "phone": "12345",
            "address": "Số 1 đường Hùng Vương",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "12 chữ số" in page
    assert "dd/mm/yyyy" in page
    assert "số điện thoại di động việt nam" in page.lower()
    assert 'value="Số 1 đường Hùng Vương"' in page
    assert 'aria-invalid="true"' in page
    citizen.refresh_from_db()
    assert citizen.address == "12 Lê Lợi, Hà Nội"


def test_citizen_id_must_match_birth_year(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("portal:profile"),
        {
            "full_name": "A",
            "citizen_id": "001090012345",
            "date_of_birth": "01/01/1985",
            "phone": "0912345678",
            "address": "x",
        },
    )
    assert response.status_code == 200
    assert "1985" in response.content.decode()


def test_changing_phone_resets_verification(client, citizen):
    citizen.phone_verified = True
    citizen.save()
    client.force_login(citizen)
    response = client.post(
        reverse("portal:profile"),
        {
            "full_name": citizen.full_name,
            "citizen_id": citizen.citizen_id,
            "date_of_birth": "01/01/1990",
            "phone": "0933 111 222",
            "address": citizen.address,
        },
    )
    # A new number asks for the password again (portal.security), then the change is saved.
    client.post(response["Location"], {"password": "correct horse battery staple"})
    citizen.refresh_from_db()
    assert citizen.phone == "+84933111222" and citizen.phone_verified is False
