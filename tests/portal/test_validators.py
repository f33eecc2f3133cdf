from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from portal.money import format_vnd
from portal.validators import (
    citizen_id_birth_year_matches,
    format_phone,
    normalize_phone,
    normalize_text,
    validate_citizen_id,
)


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "0912 345 678", "0912.345.678", "+84912345678", "84912345678", "+84 912 345 678", "(091) 234-5678"],
)
def test_vietnamese_mobile_numbers_are_normalised(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["012345678", "0212345678", "091234567", "+1 650 555 0100", "abc", ""])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_phone_display():
    assert format_phone("+84912345678") == "0912 345 678"


@pytest.mark.parametrize("raw", ["001090012345", "079203001234"])
def test_valid_citizen_ids(raw):
    validate_citizen_id(raw)


@pytest.mark.parametrize(
    "raw,code", [("00109001234", "cccd_format"), ("00109001234a", "cccd_format"), ("003090012345", "cccd_province")]
)
def test_invalid_citizen_ids(raw, code):
    with pytest.raises(ValidationError) as info:
        validate_citizen_id(raw)
    assert info.value.code == code


def test_citizen_id_century_and_year():
    assert citizen_id_birth_year_matches("001090012345", date(1990, 1, 1))
    assert citizen_id_birth_year_matches("079203001234", date(2003, 1, 1))
    assert not citizen_id_birth_year_matches("001090012345", date(1991, 1, 1))


def test_names_are_nfc_and_spaces_collapsed():
    decomposed = "Nguye\u0302\u0303n  Va\u0306n   An"
    assert normalize_text(decomposed) == "Nguyễn Văn An"


@pytest.mark.parametrize("amount,text", [(50000, "50.000 đ"), (0, "0 đ"), (1700000, "1.700.000 đ"), (None, "")])
def test_money_in_dong(amount, text):
    assert format_vnd(amount) == text
