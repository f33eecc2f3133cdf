"""Import the national csdl file twice and print the parsing figures and the import times.

    DEBUG=1 .venv/bin/python bench/import_stats.py [/work/shared/data/csdl/procedures.jsonl]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_2 DEBUG=1 .venv/bin/python bench/import_stats.py

It migrates the configured database first. What "carries one in its text" means here:

- a time: a channel name of the "Cách thức thực hiện" table directly followed by a digit
  (a digit-bearing time cell, e.g. "Trực tiếp7 Ngày làm việc" or "Trực tuyến1Miễn phí");
- a fee: "Miễn phí", or an amount followed by a currency (VNĐ, Việt Nam Đồng, đồng, đ, USD)
  anywhere in that table (fee cell, note or description).

A record "got a structured time" when one of its channels has a time value (with or without
unit), and a working-day time when its summary ``processing_days`` is set; "a structured fee"
when one of its fee lines has an amount (0 for free).
"""

from __future__ import annotations

import os
import re
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402

from procedures.models import Fee, Procedure, ProcedureChannel  # noqa: E402
from procedures.services import catalogue_import  # noqa: E402

DEFAULT = "/work/shared/data/csdl/procedures.jsonl"
TIME_IN_TEXT = re.compile(r"(?:Trực tiếp|Trực tuyến|Dịch vụ bưu chính)\d")
FEE_IN_TEXT = re.compile(r"Miễn phí|\d[\d.,]*\s*(?:VNĐ|Việt Nam Đồng|đồng|Đồng|USD|đ\b)", re.IGNORECASE)


def main() -> None:
    import json

    path = Path(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
    call_command("migrate", verbosity=0)
    codes, time_text, fee_text = set(), set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        cell = unicodedata.normalize("NFC", record.get("cach_thuc_thuc_hien", ""))
        codes.add(record["ma_thu_tuc"])
        if TIME_IN_TEXT.search(cell):
            time_text.add(record["ma_thu_tuc"])
        if FEE_IN_TEXT.search(cell):
            fee_text.add(record["ma_thu_tuc"])

    started = time.monotonic()
    first = catalogue_import(file=path, fmt="csdl")
    first_seconds = time.monotonic() - started
    started = time.monotonic()
    second = catalogue_import(file=path, fmt="csdl")
    second_seconds = time.monotonic() - started

    procedures = Procedure.objects.filter(code__in=codes)
    timed = set(
        procedures.filter(
            Exists(ProcedureChannel.objects.filter(procedure=OuterRef("pk"), time_value__isnull=False))
        ).values_list("code", flat=True)
    )
    working = set(procedures.filter(processing_days__isnull=False).values_list("code", flat=True))
    feed = set(
        procedures.filter(Exists(Fee.objects.filter(procedure=OuterRef("pk"), amount__isnull=False))).values_list(
            "code", flat=True
        )
    )
    with_issues = procedures.exclude(parse_issues=[]).count()

    print(f"database: {connection.vendor}; file: {path} ({len(codes)} records)")
    print(f"first import:  {first.counts} in {first_seconds:.1f} s")
    print(f"second import: {second.counts} in {second_seconds:.1f} s")
    print(f"time: {len(time_text)} records carry a digit-bearing time cell in their text;")
    print(f"      {len(timed)} got a structured time ({len(timed & time_text)} of those carrying one),")
    print(f"      {len(working)} a summary in working days (processing_days)")
    print(f"fee:  {len(fee_text)} records carry an amount or 'Miễn phí' in their channel table;")
    print(f"      {len(feed)} got a structured fee line with an amount ({len(feed & fee_text)} of those carrying one)")
    print(f"records with at least one parse issue kept for review: {with_issues}")


if __name__ == "__main__":
    main()
