"""Delivery figures: loading the administrative units, webhooks applied per second (with
queries per webhook), and the manifest PDF for N parcels.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_9 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_9 .venv/bin/python bench/delivery_bench.py [N]

Each run makes its own agency, procedure, N citizens and N processed dossiers with confirmed
delivery requests, books them with the mock carrier, then feeds N×4 signed webhooks straight
to ``shipment_record_event`` (no HTTP: the figure is the service's own cost).
"""

from __future__ import annotations

import json
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

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Dossier  # noqa: E402
from delivery import services  # noqa: E402
from delivery.admin_units import admin_units_load  # noqa: E402
from delivery.carriers.base import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign  # noqa: E402
from delivery.models import DeliveryRequest, Ward  # noqa: E402
from portal.models import User  # noqa: E402
from procedures.constants import LevelCode, OnlineLevel  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Procedure  # noqa: E402


def main(n: int) -> None:
    started = time.perf_counter()
    result = admin_units_load()
    print(
        f"load_admin_units: {result.provinces} provinces, {result.wards} wards in {time.perf_counter() - started:.2f} s"
    )
    started = time.perf_counter()
    admin_units_load()
    print(f"load_admin_units again (no change): {time.perf_counter() - started:.2f} s")

    tag = secrets.token_hex(4)
    level, _ = AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã"})
    agency = Agency.objects.create(code=f"BENCH-{tag}", name=f"UBND bench {tag}", level=level)
    procedure = Procedure.objects.create(code=f"9.{tag}", name="Bench", online_level=OnlineLevel.FULL)
    ward = Ward.objects.select_related("province").filter(province__code="46").first()
    now = timezone.now()
    for i in range(n):
        citizen = User.objects.create_user(email=f"bench-{tag}-{i}@example.vn", password=None, full_name="Bench")
        dossier = Dossier.objects.create(
            procedure=procedure,
            agency=agency,
            citizen=citizen,
            state="processed",
            code=f"B-{tag}-{i}",
            processed_at=now,
        )
        DeliveryRequest.objects.create(
            dossier=dossier,
            recipient_name="Nguyễn Văn An",
            phone="+84912345678",
            street_address=f"{i} Lê Lợi",
            province=ward.province,
            ward=ward,
            zone="other_province",
            fee=28000,
            payment_method="cod",
            state="confirmed",
        )
    started = time.perf_counter()
    booked = services.delivery_dispatch_pending()
    print(f"dispatch: {booked} parcels booked in {time.perf_counter() - started:.2f} s")

    shipments = list(agency.shipments.all())
    timings, queries = [], []
    for status in ["picked_up", "in_transit", "out_for_delivery", "delivered"]:
        for shipment in shipments:
            body = json.dumps(
                {
                    "event_id": secrets.token_hex(8),
                    "tracking_number": shipment.tracking_number,
                    "status": status,
                    "occurred_at": timezone.now().isoformat(),
                }
            ).encode()
            ts = str(int(time.time()))
            headers = {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(body=body, timestamp=ts)}
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                services.shipment_record_event(payload=body, headers=headers)
                timings.append(time.perf_counter() - t0)
            queries.append(len(captured))
    total = sum(timings)
    print(
        f"webhooks: {len(timings)} applied, {len(timings) / total:.0f}/s, "
        f"p50 {statistics.median(timings) * 1000:.1f} ms, p95 {statistics.quantiles(timings, n=20)[-1] * 1000:.1f} ms, "
        f"queries per webhook {min(queries)}–{max(queries)} (the 'delivered' one also closes the dossier)"
    )
    started = time.perf_counter()
    pdf = services.delivery_manifest_pdf(agency=agency, day=timezone.localdate())
    print(f"manifest PDF: {len(shipments)} parcels, {len(pdf) // 1024} KiB in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
