"""Passwords: at least 8 characters, not common, not like the account, not all digits;
long passphrases welcome, no rules about character classes."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.security.factories import CitizenFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "ngày mai trời lại sáng " * 40  # 920 characters, lowercase letters and spaces only


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "chuotconleochuoi",  # only lowercase letters: no composition rule
        PASSPHRASE,
        "x" * 3 + "ẹ" * 4000 + "z",  # neither Django 5.2 nor allauth caps the length
    ],
)
def test_long_and_simple_passphrases_are_accepted(password):
    user = CitizenFactory.build(email="lan.pham@example.vn")
    validate_password(password, user=user)


@pytest.mark.parametrize(
    "password",
    ["ngan7", "12345678", "password123", "lan.pham@example.vn"],
    ids=["too-short", "all-digits", "common", "like-the-email"],
)
def test_weak_passwords_are_refused(password):
    user = CitizenFactory.build(email="lan.pham@example.vn")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_signup_accepts_a_long_passphrase_and_it_signs_in(client, django_user_model):
    response = client.post(
        reverse("account_signup"), {"email": "dai@example.vn", "password1": PASSPHRASE, "password2": PASSPHRASE}
    )
    assert response.status_code == 302
    user = django_user_model.objects.get(email="dai@example.vn")
    assert user.check_password(PASSPHRASE)
