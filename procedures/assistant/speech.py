"""Numbers, money and durations in Vietnamese words, so that a speech engine reads them right.

"50.000 đ" read by a text-to-speech voice comes out as "năm mươi chấm không không không";
callers must hear "năm mươi nghìn đồng". The rules are the usual northern ones: "mốt"
(21 → hai mươi mốt), "lăm" (15, 25), "linh" for an empty tens digit (105 → một trăm linh năm),
"không trăm" inside a number (1.005 → một nghìn không trăm linh năm), nghìn / triệu / tỷ.
The integer reading is ``portal.numwords`` (shared with the payment receipts).
"""

from __future__ import annotations

import re
from decimal import Decimal

from portal.numwords import vietnamese_number_words

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]

__all__ = ["money_words", "spell_numbers", "vietnamese_decimal_words", "vietnamese_number_words"]


def vietnamese_decimal_words(value: Decimal | float | int) -> str:
    """1.5 → "một phẩy năm"; whole values read as integers."""
    value = Decimal(str(value)).normalize()
    if value == value.to_integral_value():
        return vietnamese_number_words(int(value))
    whole, _dot, fraction = f"{value:f}".partition(".")
    return f"{vietnamese_number_words(int(whole))} phẩy {' '.join(_DIGITS[int(d)] for d in fraction)}"


def money_words(amount: int) -> str:
    """50000 → "năm mươi nghìn đồng"."""
    return f"{vietnamese_number_words(amount)} đồng"


_DATE = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/])")
_CURRENCY = r"(?:\s*(đồng|vnđ|vnd|đ)(?!\w)|(?![\w/]|[.,]\d))"
_GROUPED = re.compile(r"(?<![\w/.,])(\d{1,3}(?:[.,]\d{3})+)" + _CURRENCY, re.IGNORECASE)
_PLAIN = re.compile(r"(?<![\w/.,-])(\d{1,12})" + _CURRENCY, re.IGNORECASE)


def _money_or_number(digits: str, currency: str | None) -> str:
    words = vietnamese_number_words(int(re.sub(r"[.,]", "", digits)))
    return f"{words} đồng" if currency else words


def spell_numbers(text: str) -> str:
    """Spell the dates, amounts and counts of a catalogue text; codes such as 116/2025/NĐ-CP stay."""
    text = _DATE.sub(
        lambda m: (
            f"ngày {vietnamese_number_words(int(m[1]))} tháng {vietnamese_number_words(int(m[2]))}"
            f" năm {vietnamese_number_words(int(m[3]))}"
        ),
        text,
    )
    text = _GROUPED.sub(lambda m: _money_or_number(m[1], m[2]), text)
    return _PLAIN.sub(lambda m: _money_or_number(m[1], m[2]), text)
