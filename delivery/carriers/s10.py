"""UPU S10 item identifiers: two letters, eight serial digits, a check digit, the country."""

from __future__ import annotations

import re

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10_RE = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")


def check_digit(serial: str) -> int:
    total = sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def make(prefix: str, serial: int, country: str = "VN") -> str:
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{check_digit(digits)}{country}"


def is_valid(value: str) -> bool:
    return bool(S10_RE.match(value)) and int(value[10]) == check_digit(value[2:10])
