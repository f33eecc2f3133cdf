"""Fitting a Vietnamese text into one or two SMS segments.

A text with any character outside the GSM 03.38 alphabet travels as UCS-2: 70 characters
in one segment, 67 a segment once split (134 for two). Vietnamese diacritics are outside
GSM-7, so a message keeps them only when it fits in two UCS-2 segments; otherwise it is
folded to ASCII (GSM-7: 160 characters, 153 a segment once split, 306 for two) and, if
still too long, shortened at a word boundary. Brandname providers bill per segment and
some handsets garble long concatenated Unicode messages, hence the cap of two.
"""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# These take two septets (escape + character).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

UCS2_SINGLE, UCS2_MULTI = 70, 67
GSM7_SINGLE, GSM7_MULTI = 160, 153

# Typographic characters people paste into templates, with their GSM-7 stand-ins.
_PUNCTUATION = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "·": "-",
        "•": "-",
        "\u00a0": " ",
        "\t": " ",
    }
)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def gsm7_length(text: str) -> int:
    return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)


def segments(text: str) -> tuple[str, int]:
    """(encoding, number of segments) the text takes: ``("gsm7", n)`` or ``("ucs2", n)``."""
    if is_gsm7(text):
        length, single, multi, encoding = gsm7_length(text), GSM7_SINGLE, GSM7_MULTI, "gsm7"
    else:
        # Precomposed Vietnamese letters are in the BMP: one UTF-16 unit each.
        length = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = UCS2_SINGLE, UCS2_MULTI, "ucs2"
    if length <= single:
        return encoding, 1
    return encoding, math.ceil(length / multi)


def fold_to_gsm7(text: str) -> str:
    """Vietnamese without diacritics (đ → d), typographic punctuation replaced, anything else
    outside GSM-7 dropped."""
    text = unicodedata.normalize("NFC", text).translate(_PUNCTUATION).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Keep only what every GSM-7 handset shows; é/è and friends are GSM-7 but the stripped
    # Vietnamese text never contains them, and ASCII reads best on old phones.
    return "".join(ch for ch in stripped if ch in GSM7_BASIC or ch in GSM7_EXTENDED)


def _shorten(text: str, limit: int) -> str:
    if gsm7_length(text) <= limit:
        return text
    cut = text[: limit - 3]
    while gsm7_length(cut) > limit - 3:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "..."


def sms_text(text: str, *, max_segments: int = 2) -> str:
    """The text to send: with diacritics if it fits in ``max_segments`` UCS-2 segments,
    else folded to GSM-7 and shortened to ``max_segments`` GSM-7 segments."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    encoding, count = segments(text)
    if count <= max_segments:
        return text
    folded = " ".join(fold_to_gsm7(text).split())
    limit = GSM7_SINGLE if max_segments == 1 else GSM7_MULTI * max_segments
    return _shorten(folded, limit)
