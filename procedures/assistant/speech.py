"""Numbers, money and durations in Vietnamese words, so that a speech engine reads them right.

"50.000 đ" read by a text-to-speech voice comes out as "năm mươi chấm không không không";
callers must hear "năm mươi nghìn đồng". The rules are the usual northern ones: "mốt"
(21 → hai mươi mốt), "lăm" (15, 25), "linh" for an empty tens digit (105 → một trăm linh năm),
"không trăm" inside a number (1.005 → một nghìn không trăm linh năm), nghìn / triệu / tỷ.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", "nghìn", "triệu"]
_BILLION = 10**9


def _three(n: int, *, full: bool) -> list[str]:
    """Words for 0 < n < 1000; ``full`` reads an empty hundreds digit ("không trăm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    else:
        words += [_DIGITS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    return words


def _below_billion(n: int, *, full: bool) -> list[str]:
    words: list[str] = []
    groups = [(n // 10**6) % 1000, (n // 1000) % 1000, n % 1000]
    for position, value in enumerate(groups):
        if not value:
            continue
        words += _three(value, full=full or bool(words))
        unit = _GROUPS[2 - position]
        if unit:
            words.append(unit)
    return words


def _words(n: int, *, full: bool = False) -> list[str]:
    if n >= _BILLION:
        high, low = divmod(n, _BILLION)
        words = [*_words(high, full=full), "tỷ"]
        if low:
            words += _below_billion(low, full=True)
        return words
    return _below_billion(n, full=full)


def vietnamese_number_words(number: int) -> str:
    """``vietnamese_number_words(50000) == "năm mươi nghìn"``."""
    number = int(number)
    if number == 0:
        return "không"
    if number < 0:
        return "âm " + vietnamese_number_words(-number)
    return " ".join(_words(number))


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
