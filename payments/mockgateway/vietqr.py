"""VietQR: the NAPAS profile of the EMVCo merchant-presented QR code, for bank transfers.

Each field is ID (2 digits), length (2 digits), value; the payload ends with field 63, the
CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of everything before it including
"6304", in four upper-case hex digits.
"""

from __future__ import annotations

import base64

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def payload(*, bank_bin: str, account: str, amount: int, reference: str) -> str:
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01")
        + tlv("01", "12")  # dynamic: one amount, one payment
        + tlv("38", merchant)
        + tlv("53", CURRENCY_VND)
        + tlv("54", str(int(amount)))
        + tlv("58", "VN")
        + tlv("62", tlv("08", reference[:25]))
        + "6304"
    )
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def parse(text: str) -> dict[str, str]:
    """Top-level fields of a payload (for tests and for checking what a page shows)."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        tag, length = text[i : i + 2], int(text[i + 2 : i + 4])
        fields[tag] = text[i + 4 : i + 4 + length]
        i += 4 + length
    return fields


def svg_data_uri(text: str) -> str:
    """The QR code as an SVG data: URI (server-side, no JavaScript, no external request)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")
