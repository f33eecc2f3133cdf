"""Sensitive changes (e-mail, phone, second factor) ask for the password again."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.security.conftest import sign_in
from tests.security.factories import PASSWORD

pytestmark = pytest.mark.django_db

REAUTH = reverse("account_reauthenticate")


def profile_data(user, **changes) -> dict:
    data = {
        "full_name": "Trần Thị Bình",
        "citizen_id": "001190012345",
        "date_of_birth": "17/05/1990",
        "phone": user.phone,
        "address": "5 Trần Phú, Hà Đông",
    }
    data.update(changes)
    return data


def test_adding_an_email_asks_for_the_password(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("account_email"), {"email": "moi@example.vn", "action_add": ""})
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert not EmailAddress.objects.filter(email="moi@example.vn").exists()

    wrong = client.post(response["Location"], {"password": "not the password"})
    assert wrong.status_code == 200
    assert not EmailAddress.objects.filter(email="moi@example.vn").exists()

    client.post(response["Location"], {"password": PASSWORD})
    assert EmailAddress.objects.filter(user=resident, email="moi@example.vn").exists()


def test_changing_the_phone_asks_for_the_password_and_keeps_what_was_typed(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("portal:profile"), profile_data(resident, phone="0933 111 222"))
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    resident.refresh_from_db()
    assert resident.phone == "+84912345678" and resident.full_name != "Trần Thị Bình"

    client.post(response["Location"], {"password": PASSWORD})
    resident.refresh_from_db()
    assert resident.phone == "+84933111222"
    assert resident.full_name == "Trần Thị Bình"
    assert resident.date_of_birth.isoformat() == "1990-05-17"


def test_profile_without_a_phone_change_saves_directly(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("portal:profile"), profile_data(resident, phone="0912 345 678"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:profile")
    resident.refresh_from_db()
    assert resident.full_name == "Trần Thị Bình"


def test_a_first_phone_number_needs_no_password(client, resident):
    resident.phone = ""
    resident.save()
    sign_in(client, resident)
    response = client.post(reverse("portal:profile"), profile_data(resident, phone="0933 111 222"))
    assert response["Location"] == reverse("portal:profile")
    resident.refresh_from_db()
    assert resident.phone == "+84933111222"


def test_turning_on_the_second_factor_asks_for_the_password(client, resident):
    sign_in(client, resident)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_changing_the_password_needs_the_current_one(client, resident):
    sign_in(client, resident)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "wrong guess here",
            "password1": "bon mua xuan ha thu dong",
            "password2": "bon mua xuan ha thu dong",
        },
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
