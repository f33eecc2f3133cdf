"""Validators for Vietnamese personal data: citizen ID (CCCD) and mobile numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes that open a 12-digit CCCD (Circular 59/2021/TT-BCA, annex): the codes of
# the 63 provinces before the 2025 merger; cards already issued keep them.
CCCD_PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
    "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
    "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
# Fourth digit: sex and century of birth (even = male, odd = female).
CCCD_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}

# Mobile prefixes after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
_PHONE_RE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


def normalize_text(value: str) -> str:
    """NFC with collapsed spaces: the national data and phones mix composed and decomposed marks."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def validate_citizen_id(value: str) -> None:
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("The citizen ID number (CCCD) must have exactly 12 digits."), code="cccd_format")
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("The first three digits of the citizen ID (%(code)s) are not a province code."),
            code="cccd_province",
            params={"code": value[:3]},
        )


def citizen_id_birth_year_matches(citizen_id: str, birth: date) -> bool:
    century = CCCD_CENTURY[int(citizen_id[3])]
    return century + int(citizen_id[4:6]) == birth.year


def normalize_phone(value: str) -> str:
    """Return the number as +84 and its nine digits (+84912345678), or raise ValidationError."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    match = _PHONE_RE.fullmatch(digits)
    if not match:
        raise ValidationError(
            _("Enter a Vietnamese mobile number, for example 0912 345 678 or +84 912 345 678."),
            code="phone",
        )
    return "+84" + match.group(1)


def validate_phone(value: str) -> None:
    normalize_phone(value)


def format_phone(value: str) -> str:
    """+84912345678 → 0912 345 678, as people write it."""
    if value and value.startswith("+84") and len(value) == 12:
        local = "0" + value[3:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return value or ""
