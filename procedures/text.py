"""Folding Vietnamese text for search: case, diacritics and đ removed, spaces collapsed.

"Đăng ký HỘ kinh doanh" and "dang ky ho kinh doanh" fold to the same string. The national
records mix composed and decomposed marks, so NFC comes first.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def fold_padded(text: str) -> str:
    """The folded words with a space at each end, so that ``" ho "`` matches whole words only
    with a plain LIKE (which a trigram index serves) on every database."""
    folded = fold(text)
    return f" {folded} " if folded else ""


def join_padded(*parts: str) -> str:
    words = " ".join(part.strip() for part in parts if part and part.strip())
    return f" {words} " if words else ""
