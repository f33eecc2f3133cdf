"""The VNPay wire format shared by the mock gateway and the portal's adapter for it.

VNPay signs the query string built from the parameters sorted by name, each name and value
URL-encoded the way ``urllib.parse.quote_plus`` does (spaces as ``+``), joined with ``&``,
with HMAC-SHA512 and the merchant's secret (hex digest). ``vnp_SecureHash`` and
``vnp_SecureHashType`` are not part of what is signed. Dates are ``yyyyMMddHHmmss`` in
Vietnam time (GMT+7), amounts are đồng ×100.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
DATE_FORMAT = "%Y%m%d%H%M%S"


def signing_string(params: dict[str, str]) -> str:
    items = sorted((k, str(v)) for k, v in params.items() if k not in HASH_FIELDS and v is not None and v != "")
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items)


def sign(params: dict[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), signing_string(params).encode(), hashlib.sha512).hexdigest()


def signed(params: dict[str, str], secret: str) -> dict[str, str]:
    clean = {k: str(v) for k, v in params.items() if k not in HASH_FIELDS and v is not None and v != ""}
    return {**clean, "vnp_SecureHash": sign(clean, secret)}


def verify(params: dict[str, str], secret: str) -> bool:
    given = params.get("vnp_SecureHash") or ""
    if not isinstance(given, str) or not given:
        return False
    # Lower case on both sides: VNPay's own samples mix the case of the hex digest.
    return hmac.compare_digest(sign(params, secret).lower().encode(), given.lower().encode())


def query_string(params: dict[str, str]) -> str:
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in sorted(params.items()))


def ascii_text(value: str) -> str:
    """VNPay wants the order description in Vietnamese without diacritics."""
    import unicodedata

    value = value.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return stripped.encode("ascii", "ignore").decode("ascii")


def format_date(value: dt.datetime) -> str:
    return value.astimezone(VN_TZ).strftime(DATE_FORMAT)


def parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        return None


def to_wire_amount(dong: int) -> str:
    return str(int(dong) * 100)


def from_wire_amount(value: str) -> int | None:
    """đồng from the ×100 wire amount; None when it is not a whole number of đồng."""
    if not isinstance(value, str) or not value.isdigit():
        return None
    number = int(value)
    if number % 100:
        return None
    return number // 100
