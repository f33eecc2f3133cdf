"""Banks and e-wallets the mock's hosted page offers (codes as VNPay names them, NAPAS BINs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bank:
    code: str
    short_name: str
    name: str
    bin: str


BANKS = [
    Bank("VIETCOMBANK", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", "970436"),
    Bank("VIETINBANK", "VietinBank", "Ngân hàng TMCP Công Thương Việt Nam", "970415"),
    Bank("BIDV", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", "970418"),
    Bank("AGRIBANK", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "970405"),
    Bank("TECHCOMBANK", "Techcombank", "Ngân hàng TMCP Kỹ Thương Việt Nam", "970407"),
    Bank("MBBANK", "MB", "Ngân hàng TMCP Quân đội", "970422"),
    Bank("ACB", "ACB", "Ngân hàng TMCP Á Châu", "970416"),
    Bank("VPBANK", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng", "970432"),
    Bank("TPBANK", "TPBank", "Ngân hàng TMCP Tiên Phong", "970423"),
    Bank("SACOMBANK", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín", "970403"),
    Bank("SHB", "SHB", "Ngân hàng TMCP Sài Gòn – Hà Nội", "970443"),
    Bank("HDBANK", "HDBank", "Ngân hàng TMCP Phát triển TP. Hồ Chí Minh", "970437"),
    Bank("VIB", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam", "970441"),
    Bank("OCB", "OCB", "Ngân hàng TMCP Phương Đông", "970448"),
]

EWALLETS = [
    ("MOMO", "Ví MoMo"),
    ("ZALOPAY", "ZaloPay"),
    ("SHOPEEPAY", "ShopeePay"),
    ("VIETTELMONEY", "Viettel Money"),
]

# The account the mock gateway collects transfers into (BIDV's BIN).
COLLECTION_BANK_BIN = "970418"
COLLECTION_ACCOUNT = "8600123456789"

BANK_CODES = {b.code for b in BANKS}
EWALLET_CODES = {code for code, _name in EWALLETS}
