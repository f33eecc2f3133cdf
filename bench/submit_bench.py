"""Submit N dossiers through the service layer and print dossiers per second and queries
per submission.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_4 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_4 .venv/bin/python bench/submit_bench.py [N]

Each run makes its own agency (unique code), procedure (two required papers, a fee) and N
citizens with complete drafts; only ``dossier_submit`` is timed (code sequence under a row
lock, calendar, fee, event row, on-commit notification).
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

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from applications import services  # noqa: E402
from applications.models import Dossier, DossierPaper  # noqa: E402
from portal.models import User  # noqa: E402
from procedures.constants import LevelCode, OnlineLevel  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Fee, Procedure, RequiredDocument  # noqa: E402

PDF = b"%PDF-1.4\n%%EOF\n"


def setup(n: int):
    tag = secrets.token_hex(3).upper()
    level, _ = AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã"})
    agency = Agency.objects.create(code=f"BENCH{tag}", name=f"UBND phường Thử nghiệm {tag}", level=level)
    procedure = Procedure.objects.create(
        code=f"B.{tag}", name="Đăng ký thành lập hộ kinh doanh", online_level=OnlineLevel.FULL, processing_days=3
    )
    procedure.agencies.add(agency)
    documents = [
        RequiredDocument.objects.create(procedure=procedure, order=i, name=name)
        for i, name in enumerate(["Giấy đề nghị", "Bản sao CCCD"])
    ]
    Fee.objects.create(procedure=procedure, amount=100000)
    users = User.objects.bulk_create(
        User(email=f"bench-{tag.lower()}-{i}@example.vn", full_name="Nguyễn Văn Thử", phone="+84912345678")
        for i in range(n)
    )
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            procedure=procedure,
            agency=agency,
            citizen=user,
            applicant_name=user.full_name,
            applicant_citizen_id=f"001090{i:06d}",
            applicant_phone=user.phone,
            applicant_address="1 Lê Lợi",
        )
        for i, user in enumerate(users)
    )
    # One stored file shared by every paper row: the bench times submission, not uploads.
    first = DossierPaper(
        dossier=dossiers[0],
        required_document=documents[0],
        title="x",
        uploaded_by=users[0],
        original_name="a.pdf",
        size=len(PDF),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    first.file.save("bench.pdf", ContentFile(PDF), save=True)
    DossierPaper.objects.bulk_create(
        DossierPaper(
            dossier=d,
            required_document=doc,
            title=doc.name,
            file=first.file.name,
            uploaded_by=d.citizen,
            original_name="a.pdf",
            size=len(PDF),
            content_type="application/pdf",
            sha256="0" * 64,
        )
        for d in dossiers
        for doc in documents
        if not (d.pk == dossiers[0].pk and doc.pk == documents[0].pk)
    )
    return dossiers


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']}); dossiers: {n}")
    dossiers = setup(n)
    queries: list[int] = []
    durations: list[float] = []
    first_queries: list[dict] = []
    started = time.perf_counter()
    for dossier in dossiers:
        # The query log is a bounded deque (9,000 entries): empty it so that counts stay exact.
        connection.queries_log.clear()
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            services.dossier_submit(dossier=dossier, actor=dossier.citizen)
        durations.append(time.perf_counter() - t0)
        queries.append(len(captured.captured_queries))
        first_queries = first_queries or captured.captured_queries
    elapsed = time.perf_counter() - started
    codes = set(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("code", flat=True))
    assert len(codes) == n, "every submission must get its own code"
    durations.sort()
    verbs = [q["sql"].split()[0] for q in first_queries]
    print("statements of one submission:", " ".join(verbs))
    print(f"submitted: {n} in {elapsed:.2f} s → {n / elapsed:.0f} dossiers/s")
    print(
        f"queries per submission (BEGIN and COMMIT included): mean {statistics.mean(queries):.1f}, max {max(queries)}"
    )
    print(
        f"latency per submission: p50 {durations[n // 2] * 1000:.1f} ms, p99 {durations[int(n * 0.99) - 1] * 1000:.1f} ms"
    )
    print(f"last code: {max(codes)}")


if __name__ == "__main__":
    main()
