"""Apply N payment notifications (IPN) through the service and print IPNs per second,
latency and queries per IPN, for a first notification and for a duplicate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_8 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_8 .venv/bin/python bench/ipn_bench.py [N]

Each run makes its own agency and procedure and N submitted dossiers with a 50.000 đ fee,
creates a payment for each and finishes it on the mock gateway (not timed); then times
``payment_apply_notification`` on the signed IPN (signature, freshness, row lock, unique
notification row, transition, ``dossier_mark_fee_settled``, receipt number under a row lock)
and again on the same IPN (answered 02).
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["PAYMENT_MOCK_SEND_IPN"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Dossier  # noqa: E402
from payments import services  # noqa: E402
from payments.mockgateway import ledger  # noqa: E402
from portal.models import User  # noqa: E402
from procedures.constants import LevelCode, OnlineLevel  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Procedure  # noqa: E402


def setup(n: int):
    from urllib.parse import parse_qsl, urlsplit

    tag = secrets.token_hex(3).upper()
    level, _ = AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã"})
    agency = Agency.objects.create(code=f"PAYB{tag}", name=f"UBND phường Thử nghiệm {tag}", level=level)
    procedure = Procedure.objects.create(code=f"P.{tag}", name="Cấp bản sao trích lục", online_level=OnlineLevel.FULL)
    procedure.agencies.add(agency)
    users = User.objects.bulk_create(
        User(email=f"ipn-{tag.lower()}-{i}@example.vn", full_name="Trần Thị Thử", phone="+84912345678")
        for i in range(n)
    )
    now = timezone.now()
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            procedure=procedure,
            agency=agency,
            citizen=user,
            applicant_name=user.full_name,
            applicant_citizen_id=f"001090{i:06d}",
            applicant_phone=user.phone,
            applicant_address="1 Lê Lợi",
            state="submitted",
            code=f"{agency.code}-{i:06d}",
            submitted_at=now,
            received_at=now,
            fee_amount=50000,
        )
        for i, user in enumerate(users)
    )
    params = []
    for dossier in dossiers:
        _payment, url = services.payment_create(dossier=dossier, actor=dossier.citizen, method="bank")
        txn = ledger.transaction_begin(params=dict(parse_qsl(urlsplit(url).query)))
        txn = ledger.transaction_complete(page_token=txn.page_token, result_code="00", method="bank", bank_code="BIDV")
        params.append(ledger.result_params(txn))
    return params


def run(all_params, label: str, expected: str) -> None:
    durations: list[float] = []
    queries: list[int] = []
    started = time.perf_counter()
    for params in all_params:
        connection.queries_log.clear()
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            code, _message = services.payment_apply_notification(params=params)
        durations.append(time.perf_counter() - t0)
        queries.append(len(captured.captured_queries))
        assert code == expected, (code, _message)
    elapsed = time.perf_counter() - started
    n = len(all_params)
    durations.sort()
    print(
        f"{label}: {n} in {elapsed:.2f} s → {n / elapsed:.0f} IPN/s; "
        f"p50 {durations[n // 2] * 1000:.1f} ms, p99 {durations[max(0, int(n * 0.99) - 1)] * 1000:.1f} ms; "
        f"queries mean {statistics.mean(queries):.1f}, max {max(queries)}"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); payments: {n}")
    params = setup(n)
    run(params, "first IPN (settles, receipt)", "00")
    run(params, "duplicate IPN (answered 02)", "02")


if __name__ == "__main__":
    main()
