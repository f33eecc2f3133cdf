"""Numbers in Vietnamese words, as written on receipts ("Năm mươi nghìn đồng").

The rules a receipt follows: "mươi" for tens from 20, "mười" for 10; "mốt" for a unit 1
after a ten from 20; "lăm" for a unit 5 after any ten; "linh" for a zero ten before a unit
inside a group; "không trăm" when a non-leading group has no hundreds.
"""

from __future__ import annotations

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
SCALES = ["", "nghìn", "triệu", "tỷ"]


def _group(n: int, *, leading: bool) -> str:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
        return " ".join(words)
    words.append("mười" if tens == 1 else f"{DIGITS[tens]} mươi")
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return " ".join(words)


def vietnamese_number_words(n: int) -> str:
    """1250000 → "một triệu hai trăm năm mươi nghìn" (lower case; no currency)."""
    n = int(n)
    if n < 0:
        return "âm " + vietnamese_number_words(-n)
    if n == 0:
        return DIGITS[0]
    # Beyond a thousand billion, "tỷ" repeats: 10^12 = "một nghìn tỷ".
    billions, below = divmod(n, 10**9)
    parts: list[str] = []
    if billions:
        parts.append(vietnamese_number_words(billions) + " tỷ")
    groups = [(below // 10 ** (3 * i)) % 1000 for i in range(2, -1, -1)]
    first = not billions
    for index, value in enumerate(groups):
        if value == 0:
            continue
        scale = SCALES[2 - index]
        leading = first
        first = False
        text = _group(value, leading=leading)
        parts.append(f"{text} {scale}".strip())
    return " ".join(parts)


def vnd_in_words(amount: int) -> str:
    """50000 → "Năm mươi nghìn đồng"."""
    text = vietnamese_number_words(amount) + " đồng"
    return text[0].upper() + text[1:]
