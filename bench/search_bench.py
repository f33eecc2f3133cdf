"""Catalogue search benchmark on PostgreSQL: in-database time and page render time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_3 .venv/bin/python bench/search_bench.py --count 10000

Creates ``--count`` synthetic procedures (codes ``B.000001``…, names built from Vietnamese
vocabularies, with aliases, keywords, steps, fees, levels and agencies) unless that many are
already there, then runs each query ``--repeat`` times:

- **in DB**: every SQL statement the search of the catalogue page makes (vocabulary lookup,
  typo candidates, first page of 20 with its prefetches) is re-run under
  ``EXPLAIN (ANALYZE)`` and the execution times are summed — the database's share;
- **search wall**: the same search timed from Python (ORM included);
- **page**: ``GET /thu-tuc/?q=…`` through Django's test client with cached templates.

It prints p50 and p99 for each query and for all of them together. ``--drop`` removes the
synthetic procedures afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

PREFIX = "B."
QUERIES = [
    "dang ky ho kinh doanh",
    "Đăng ký hộ kinh doanh",
    "DANG KY KINH DOANH",
    "giấy phép xây dựng nhà ở",
    "ly lich tu phap",
    "dang ky ho kinh doamh",  # typo
    "giay phep lai xee",  # typo
    "karaoke",  # rare
    "cap",  # very common
    "ket hon nguoi nuoc ngoai",
    "qxqzw wqzqx",  # nothing
]

VERBS = [
    "Đăng ký",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Xác nhận",
    "Công nhận",
    "Thẩm định",
    "Phê duyệt",
    "Chứng thực",
    "Giải quyết",
    "Thông báo",
    "Đề nghị",
    "Bổ sung",
    "Hủy bỏ",
    "Sửa đổi",
]
OBJECTS = [
    "giấy phép kinh doanh",
    "thành lập hộ kinh doanh",
    "thay đổi nội dung đăng ký hộ kinh doanh",
    "giấy chứng nhận quyền sử dụng đất",
    "giấy phép xây dựng nhà ở riêng lẻ",
    "giấy phép lái xe",
    "khai sinh",
    "kết hôn",
    "khai tử",
    "thường trú",
    "tạm trú",
    "phiếu lý lịch tư pháp",
    "chứng chỉ hành nghề dược",
    "giấy phép lao động",
    "giấy phép hoạt động khám bệnh, chữa bệnh",
    "giấy chứng nhận đủ điều kiện an toàn thực phẩm",
    "giấy phép kinh doanh dịch vụ karaoke",
    "giấy phép khai thác khoáng sản",
    "giấy phép xả thải vào nguồn nước",
    "giấy chứng nhận đăng ký xe",
    "văn bằng bảo hộ sáng chế",
    "giấy phép thành lập trường mầm non",
    "chứng nhận nghề truyền thống",
    "hợp đồng chuyển nhượng quyền sử dụng đất",
    "trợ cấp xã hội hằng tháng",
    "chế độ người có công với cách mạng",
    "quyết định giao rừng",
    "giấy phép biểu diễn nghệ thuật",
    "điểm kinh doanh xăng dầu",
    "giấy phép vận tải hành khách",
]
QUALIFIERS = [
    "",
    "",
    "",
    " cho người nước ngoài",
    " đối với doanh nghiệp",
    " tại cấp xã",
    " trên địa bàn tỉnh",
    " lần đầu",
    " trường hợp bị mất, hư hỏng",
    " do thay đổi thông tin",
    " cho cá nhân, tổ chức",
    " đối với hộ gia đình",
    " theo yêu cầu",
    " thuộc thẩm quyền của Ủy ban nhân dân cấp huyện",
]
SECTORS = [
    "Hộ tịch",
    "Tư pháp",
    "Đất đai",
    "Xây dựng",
    "Đường bộ",
    "Y tế",
    "Lao động",
    "Giáo dục",
    "Văn hóa",
    "Công thương",
    "Tài nguyên nước",
    "Khoáng sản",
    "Bảo trợ xã hội",
    "Người có công",
    "Lâm nghiệp",
    "Sở hữu trí tuệ",
]
STEPS = [
    "Tổ chức, cá nhân chuẩn bị hồ sơ đầy đủ theo quy định.",
    "Nộp hồ sơ tại Bộ phận Một cửa hoặc qua Cổng Dịch vụ công.",
    "Cán bộ tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ và viết phiếu hẹn.",
    "Cơ quan có thẩm quyền thẩm định hồ sơ, kiểm tra thực địa nếu cần.",
    "Trả kết quả tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính công ích.",
]
ALIASES = ["giấy phép kinh doanh hộ cá thể", "làm sổ đỏ", "làm lý lịch tư pháp", "xin phép xây nhà", "đổi bằng lái"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def generate(count: int, seed: int) -> None:
    from django.db import connection, transaction

    from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel
    from procedures.models import (
        AdministrativeLevel,
        Agency,
        Fee,
        Procedure,
        ProcedureAlias,
        ProcedureChannel,
        SearchTerm,
        Sector,
        Step,
    )
    from procedures.text import fold_padded

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        levels = []
        for rank, code in enumerate([LevelCode.PROVINCE, LevelCode.DISTRICT, LevelCode.COMMUNE]):
            level, _ = AdministrativeLevel.objects.get_or_create(code=code, defaults={"name": code.label, "rank": rank})
            levels.append(level)
        sectors = [
            Sector.objects.get_or_create(code=f"bench-{i}", defaults={"name": f"{name} (thử tải)"})[0]
            for i, name in enumerate(SECTORS)
        ]
        agencies = [
            Agency.objects.get_or_create(
                code=f"BENCH-{i}", defaults={"name": f"Cơ quan thử tải số {i}", "level": levels[i % 3]}
            )[0]
            for i in range(60)
        ]
        procedures = []
        extras = []
        for n in range(1, count + 1):
            name = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(QUALIFIERS)}"
            keywords = rng.choice(["", "", "", "hộ cá thể, mở cửa hàng", "giấy tờ nhà đất", "bằng lái xe ô tô"])
            alias = rng.choice(ALIASES) if rng.random() < 0.05 else ""
            steps = rng.sample(STEPS, 3)
            procedure = Procedure(
                code=f"{PREFIX}{n:06d}",
                name=name,
                keywords=keywords,
                sector=rng.choice(sectors),
                processing_days=rng.choice([1, 3, 5, 7, 10, 15, 20, 30]),
                online_level=rng.choice(list(OnlineLevel)),
                popularity=int(rng.paretovariate(1.2)) - 1,
            )
            procedure.search_aliases = fold_padded(alias)
            procedure.search_steps = fold_padded(" ".join(steps))
            procedure.fill_search_fields()
            procedures.append(procedure)
            extras.append((alias, steps))
        Procedure.objects.bulk_create(procedures, batch_size=2000)
        words: set[str] = set()
        aliases, step_rows, channels, level_links, agency_links = [], [], [], [], []
        LevelLink = Procedure.levels.through
        AgencyLink = Procedure.agencies.through
        for procedure, (alias, steps) in zip(procedures, extras, strict=True):
            words.update(procedure.search_text.split())
            if alias:
                aliases.append(ProcedureAlias(procedure=procedure, phrase=alias))
            step_rows.extend(Step(procedure=procedure, order=i, text=text) for i, text in enumerate(steps, 1))
            channels.append(ProcedureChannel(procedure=procedure, channel=Channel.COUNTER, order=1, time_value=5))
            level_links.append(LevelLink(procedure_id=procedure.pk, administrativelevel_id=rng.choice(levels).pk))
            agency_links.append(AgencyLink(procedure_id=procedure.pk, agency_id=rng.choice(agencies).pk))
        ProcedureAlias.objects.bulk_create(aliases, batch_size=2000)
        Step.objects.bulk_create(step_rows, batch_size=5000)
        ProcedureChannel.objects.bulk_create(channels, batch_size=5000)
        Fee.objects.bulk_create(
            [
                Fee(
                    procedure=c.procedure,
                    channel=c,
                    kind=FeeKind.CHARGE,
                    amount=rng.choice([0, 0, 20000, 50000, 100000, 500000]),
                )
                for c in channels
            ],
            batch_size=5000,
        )
        LevelLink.objects.bulk_create(level_links, batch_size=5000)
        AgencyLink.objects.bulk_create(agency_links, batch_size=5000)
        SearchTerm.objects.bulk_create([SearchTerm(word=w) for w in words], ignore_conflicts=True, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"created {count} procedures in {time.perf_counter() - started:.1f} s", flush=True)


def drop() -> None:
    from procedures.models import Procedure

    Procedure.objects.filter(code__startswith=PREFIX).delete()


def explain_ms(sql: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return plan[0]["Execution Time"]


def run_search(query: str):
    """What the catalogue page does for a query: its first page of 20 (and whether more follow)."""
    from procedures.selectors import procedure_search_page

    page = procedure_search_page(query=query, page=1, per_page=20)
    return page.object_list, f"{len(page.object_list)}{'+' if page.has_next else ''}"


def bench(repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    results: dict[str, dict[str, list[float]]] = {}
    for query in QUERIES:  # warm caches and plans
        run_search(query)
        client.get("/thu-tuc/", {"q": query})
    for query in QUERIES:
        timing = results.setdefault(query, {"db": [], "wall": [], "page": [], "hits": []})
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                rows, total = run_search(query)
                timing["wall"].append((time.perf_counter() - started) * 1000)
            timing["db"].append(sum(explain_ms(q["sql"]) for q in captured.captured_queries))
            started = time.perf_counter()
            response = client.get("/thu-tuc/", {"q": query})
            timing["page"].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        timing["hits"] = [total]
        first = rows[0].name[:48] if rows else "—"
        print(
            f"{query[:28]:<28} shown={total:>3}  db p50={percentile(timing['db'], 50):6.1f} "
            f"p99={percentile(timing['db'], 99):6.1f} ms  search p50={percentile(timing['wall'], 50):6.1f} "
            f"p99={percentile(timing['wall'], 99):6.1f} ms  page p50={percentile(timing['page'], 50):6.1f} "
            f"p99={percentile(timing['page'], 99):6.1f} ms  first: {first}",
            flush=True,
        )
    every = {key: [v for t in results.values() for v in t[key]] for key in ("db", "wall", "page")}
    print(
        f"ALL ({len(every['db'])} runs)  in DB p50={percentile(every['db'], 50):.1f} ms "
        f"p99={percentile(every['db'], 99):.1f} ms | search from Python p50={percentile(every['wall'], 50):.1f} ms "
        f"p99={percentile(every['wall'], 99):.1f} ms | page p50={percentile(every['page'], 50):.1f} ms "
        f"p99={percentile(every['page'], 99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--drop", action="store_true", help="remove the synthetic procedures at the end")
    args = parser.parse_args()

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the figures are about PostgreSQL.")
    # Production-like rendering: cached template loaders, no query log.
    options = settings.TEMPLATES[0]["OPTIONS"]
    loaders = options.get("loaders") or []
    if loaders and not (isinstance(loaders[0], tuple) and loaders[0][0].endswith("cached.Loader")):
        options["loaders"] = [("django.template.loaders.cached.Loader", loaders)]
    settings.DEBUG = False

    call_command("migrate", verbosity=0)
    from procedures.models import Procedure

    existing = Procedure.objects.filter(code__startswith=PREFIX).count()
    others = Procedure.objects.exclude(code__startswith=PREFIX).count()
    if existing != args.count:
        if existing:
            print(f"removing {existing} synthetic procedures", flush=True)
            drop()
        generate(args.count, args.seed)
    print(f"catalogue: {args.count} synthetic + {others} other procedures; {args.repeat} runs a query", flush=True)
    bench(args.repeat)
    if args.drop:
        drop()


if __name__ == "__main__":
    main()
