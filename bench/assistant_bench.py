"""Server time of one hotline-assistant answer, with 300 and with 10,000 procedures.

    .venv/bin/python bench/assistant_bench.py            # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_6 .venv/bin/python bench/assistant_bench.py

Builds a synthetic catalogue (names made from the words of real procedure names, with
channels, fees, steps, papers, results and agencies), then times, per answer:
- "engine": understanding + matching + reading the record + composing (``Assistant.respond``);
- "service": the same plus the conversation row lock, the two turn rows and the log
  (``conversation_reply``), i.e. what the API view does besides JSON parsing.
Targets (issue 8): p99 < 20 ms with 300 procedures, < 100 ms with 10,000.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='assistant-bench-')}/bench.sqlite3"
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

HEADS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Đăng ký",
    "Gia hạn",
    "Xác nhận",
    "Điều chỉnh",
    "Thu hồi",
    "Chứng thực",
    "Giải quyết",
]
OBJECTS = [
    "giấy phép kinh doanh",
    "giấy chứng nhận quyền sử dụng đất",
    "hộ chiếu phổ thông",
    "thẻ bảo hiểm y tế",
    "giấy phép lái xe",
    "giấy phép xây dựng",
    "khai sinh",
    "kết hôn",
    "khai tử",
    "tạm trú",
    "thường trú",
    "hộ kinh doanh",
    "phiếu lý lịch tư pháp",
    "chứng chỉ hành nghề",
    "giấy phép khai thác nước",
    "giấy phép vận tải",
    "giấy chứng nhận đủ điều kiện",
    "trợ cấp xã hội",
    "chế độ thai sản",
    "bản sao từ sổ gốc",
    "nuôi con nuôi",
    "giấy phép môi trường",
    "giấy phép nhập khẩu",
    "thẻ căn cước",
    "biển số xe",
    "giấy phép hoạt động",
]
TAILS = [
    "",
    "",
    "cho công dân Việt Nam",
    "có yếu tố nước ngoài",
    "tại cấp xã",
    "(thực hiện tại cấp tỉnh)",
    "cho tổ chức",
    "đối với hộ gia đình, cá nhân",
    "lưu động",
    "trong trường hợp bị mất",
    "cho doanh nghiệp nhỏ và vừa",
    "đối với công trình cấp III",
    "khu vực biên giới",
    "cho người nước ngoài",
]
QUESTIONS = [
    "Tôi cần biết thông tin về thủ tục đăng ký hộ kinh doanh",
    "làm khai sinh cho con nộp ở đâu",
    "cấp lại giấy phép lái xe mất mấy ngày",
    "xin giấy phép xây dựng cần giấy tờ gì",
    "gia han tam tru le phi bao nhieu",
    "đăng kí kêt hôn thì các bước thế nào",
    "thời tiết hôm nay thế nào",
    "cấp đổi thẻ bảo hiểm y tế có nộp online được không",
    "chứng thực bản sao từ sổ gốc",
    "xác nhận trợ cấp xã hội cho người cao tuổi ở đâu",
]


def build_catalogue(count: int, seed: int = 7) -> None:
    from procedures.constants import Channel, FeeKind, LevelCode
    from procedures.models import (
        AdministrativeLevel,
        Agency,
        Fee,
        Procedure,
        ProcedureAlias,
        ProcedureChannel,
        ProcedureResult,
        RequiredDocument,
        Step,
    )

    rng = random.Random(seed)
    Procedure.objects.all().delete()
    level, _ = AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã", "rank": 2})
    agencies = [
        Agency.objects.get_or_create(
            code=f"bench-{i}",
            defaults={
                "name": f"Ủy ban nhân dân xã số {i}",
                "level": level,
                "address": f"{i} Lê Lợi",
                "phone": "0236 3812 345",
            },
        )[0]
        for i in range(20)
    ]
    procedures = []
    for i in range(count):
        name = " ".join(filter(None, [rng.choice(HEADS), rng.choice(OBJECTS), rng.choice(TAILS)]))
        procedures.append(
            Procedure(
                code=f"8.{i:06d}", name=name, processing_days=Decimal(rng.choice([1, 3, 5, 7, 15])), search_text=name
            )
        )
    Procedure.objects.bulk_create(procedures, batch_size=1000)
    procedures = list(Procedure.objects.order_by("code"))
    through = Procedure.agencies.through
    through.objects.bulk_create(
        [through(procedure_id=p.id, agency_id=rng.choice(agencies).id) for p in procedures], batch_size=2000
    )
    channels, fees, steps, documents, results, aliases = [], [], [], [], [], []
    for p in procedures:
        channels.append(ProcedureChannel(procedure=p, order=0, channel=Channel.COUNTER, fee_text="50,000 VNĐ"))
        channels.append(ProcedureChannel(procedure=p, order=1, channel=Channel.ONLINE))
        fees.append(Fee(procedure=p, kind=FeeKind.CHARGE, amount=rng.choice([0, 20000, 50000, 100000, 1500000])))
        steps += [
            Step(procedure=p, order=n, text=f"Bước {n}: Nộp hồ sơ, nhận giấy hẹn trong 03 ngày làm việc.")
            for n in range(1, 5)
        ]
        documents += [
            RequiredDocument(procedure=p, order=n, name=f"Giấy tờ số {n} theo mẫu", originals=1) for n in range(1, 5)
        ]
        results.append(ProcedureResult(procedure=p, order=0, name="Giấy chứng nhận"))
        if rng.random() < 0.3:
            aliases.append(ProcedureAlias(procedure=p, phrase=f"làm {rng.choice(OBJECTS)} {p.code}"))
    for model, rows in [
        (ProcedureChannel, channels),
        (Fee, fees),
        (Step, steps),
        (RequiredDocument, documents),
        (ProcedureResult, results),
        (ProcedureAlias, aliases),
    ]:
        model.objects.bulk_create(rows, batch_size=2000)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(count: int, rounds: int) -> None:
    from procedures.assistant.engine import Assistant, State
    from procedures.assistant.index import get_index
    from procedures.assistant.services import assistant_catalogue_changed, conversation_reply

    build_catalogue(count)
    assistant_catalogue_changed()
    started = time.perf_counter()
    get_index()
    build_ms = (time.perf_counter() - started) * 1000
    engine_times, service_times = [], []
    with translation.override("vi"):
        for n in range(rounds):
            question = QUESTIONS[n % len(QUESTIONS)]
            started = time.perf_counter()
            Assistant().respond(question, State())
            engine_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            conversation_reply(text=question, key=f"bench-{count}-{n % 50}")
            service_times.append((time.perf_counter() - started) * 1000)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{count:>6} procedures  index build {build_ms:7.1f} ms  ({connection.vendor}, {rounds} answers, load {load})"
    )
    for label, times in [("engine", engine_times), ("service", service_times)]:
        print(
            f"        {label:<8} p50 {statistics.median(times):6.2f} ms   p99 {percentile(times, 0.99):6.2f} ms"
            f"   max {max(times):6.2f} ms"
        )


def main() -> None:
    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        # The project's embedded SQLite settings (portal/env.py), which a sqlite:// URL does not apply.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
    rounds = int(os.environ.get("BENCH_ROUNDS", "500"))
    for count in (300, 10_000):
        run(count, rounds)


if __name__ == "__main__":
    main()
