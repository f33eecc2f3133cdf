"""A synthetic catalogue of any size, for scale tests and search benchmarks.

Names are composed from the vocabulary of real procedures (sector, action, object, case), so
that searching "dang ky ho kinh doanh" in 100,000 procedures has realistic competition: many
names share words, few share a phrase. Codes are ``<prefix>.<n>`` (default prefix 9, which the
national database does not use), so a synthetic catalogue never collides with real codes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from procedures.constants import Channel, FeeKind, OnlineLevel, TimeUnit
from procedures.models import Fee, Procedure, ProcedureAlias, ProcedureChannel, Sector
from procedures.pagecache import catalogue_pages_changed
from procedures.search import procedure_refresh_search_text
from procedures.services import code_slug, levels_ensure
from procedures.text import fold

# sector → objects that sector's procedures are about.
VOCABULARY: dict[str, list[str]] = {
    "Hộ tịch": [
        "khai sinh",
        "kết hôn",
        "khai tử",
        "nhận cha, mẹ, con",
        "giám hộ",
        "thay đổi, cải chính hộ tịch",
        "xác nhận tình trạng hôn nhân",
        "trích lục hộ tịch",
    ],
    "Chứng thực": ["bản sao từ bản chính", "chữ ký", "hợp đồng, giao dịch", "chữ ký người dịch"],
    "Đăng ký, quản lý cư trú": ["thường trú", "tạm trú", "tạm vắng", "tách hộ", "thông tin về cư trú"],
    "Cấp, quản lý căn cước": ["thẻ căn cước", "giấy chứng nhận căn cước", "thông tin sinh trắc học"],
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": ["hộ kinh doanh", "địa điểm kinh doanh của hộ kinh doanh"],
    "Thành lập và hoạt động của doanh nghiệp": [
        "doanh nghiệp tư nhân",
        "công ty trách nhiệm hữu hạn",
        "công ty cổ phần",
        "chi nhánh, văn phòng đại diện",
    ],
    "Đất đai": [
        "quyền sử dụng đất",
        "tài sản gắn liền với đất",
        "thửa đất",
        "biến động đất đai",
        "chuyển mục đích sử dụng đất",
    ],
    "Hoạt động xây dựng": ["giấy phép xây dựng", "công trình cấp III, cấp IV", "nhà ở riêng lẻ", "chứng chỉ hành nghề"],
    "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng": [
        "chứng nhận đăng ký xe",
        "biển số xe",
        "xe máy chuyên dùng",
    ],
    "Sát hạch, cấp giấy phép lái xe": ["giấy phép lái xe", "giấy phép lái xe quốc tế"],
    "Quản lý xuất nhập cảnh": ["hộ chiếu phổ thông", "thẻ tạm trú", "thị thực"],
    "Lý lịch tư pháp": ["Phiếu lý lịch tư pháp số 1", "Phiếu lý lịch tư pháp số 2"],
    "Thực hiện chính sách BHXH": ["sổ bảo hiểm xã hội", "trợ cấp thai sản", "lương hưu", "trợ cấp một lần"],
    "Chính sách": ["thẻ bảo hiểm y tế", "trợ cấp xã hội", "chế độ ưu đãi"],
    "Thủy lợi": ["công trình thủy lợi", "giấy phép xả nước thải"],
    "Nông nghiệp": ["giống cây trồng", "phân bón", "thuốc bảo vệ thực vật", "trang trại"],
    "Thú y": ["chứng chỉ hành nghề thú y", "kiểm dịch động vật", "cơ sở an toàn dịch bệnh"],
    "Công chứng": ["văn phòng công chứng", "công chứng viên", "hợp đồng ủy quyền"],
    "Y tế dự phòng": ["giấy chứng nhận đủ điều kiện an toàn thực phẩm", "giấy khám sức khỏe"],
    "Giáo dục và đào tạo": ["văn bằng, chứng chỉ", "trường mầm non tư thục", "chuyển trường"],
    "Văn hóa": ["giấy phép kinh doanh karaoke", "biểu diễn nghệ thuật", "lễ hội"],
    "Lao động": ["giấy phép lao động", "trợ cấp thất nghiệp", "nội quy lao động"],
}
ACTIONS = [
    "Đăng ký",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Xác nhận",
    "Thu hồi",
    "Đăng ký thay đổi",
    "Chấm dứt",
    "Công nhận",
    "Thẩm định",
]
CASES = [
    "",
    "",
    "",
    " có yếu tố nước ngoài",
    " (thực hiện tại cấp tỉnh)",
    " (thực hiện tại cấp xã)",
    " trong trường hợp bị mất, hỏng",
    " cho người dưới 14 tuổi",
    " trực tuyến toàn trình",
    " đối với tổ chức",
    " đối với cá nhân",
]
LEVEL_CHOICES = [["province"], ["commune"], ["province", "commune"], ["ministry", "province"]]


@dataclass
class GenerateReport:
    created: int
    deleted: int


def catalogue_generate(
    *, count: int, prefix: str = "9", seed: int = 20260701, batch_size: int = 2000, clear: bool = False
) -> GenerateReport:
    """Create ``count`` synthetic procedures with a channel, a fee and, for one in ten, an alias."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    levels = levels_ensure()
    deleted = 0
    with transaction.atomic():
        if clear:
            deleted, _ = Procedure.objects.filter(code__startswith=f"{prefix}.").delete()
        sectors = {}
        for name in VOCABULARY:
            sectors[name] = Sector.objects.filter(name=name).first() or Sector.objects.create(
                code=_unique_sector_code(name), name=name
            )
        existing = set(Procedure.objects.filter(code__startswith=f"{prefix}.").values_list("code", flat=True))
        number, created = 0, 0
        level_through = Procedure.levels.through
        while created < count:
            batch = []
            while len(batch) < min(batch_size, count - created):
                number += 1
                code = f"{prefix}.{number:06d}"
                if code in existing:
                    continue
                sector = rng.choice(list(VOCABULARY))
                name = f"{rng.choice(ACTIONS)} {rng.choice(VOCABULARY[sector])}{rng.choice(CASES)}"
                keywords = ", ".join(rng.sample(VOCABULARY[sector], k=min(2, len(VOCABULARY[sector]))))
                days = Decimal(rng.choice([1, 2, 3, 5, 7, 10, 15, 20, 30]))
                online = rng.choices(list(OnlineLevel.values), weights=[5, 3, 2])[0]
                batch.append(
                    Procedure(
                        code=code,
                        name=name,
                        sector=sectors[sector],
                        keywords=keywords,
                        search_text=fold(" ".join([code, name, keywords])),
                        processing_days=days,
                        processing_time_text=f"{int(days)} Ngày làm việc",
                        online_level=online,
                        popularity=rng.randint(0, 50),
                        parse_issues=["synthetic"],
                    )
                )
            Procedure.objects.bulk_create(batch)
            # bulk_create sets primary keys on PostgreSQL and SQLite 3.35+; other backends need a query.
            if all(p.pk for p in batch):
                ids = {p.code: p.pk for p in batch}
            else:
                ids = dict(Procedure.objects.filter(code__in=[p.code for p in batch]).values_list("code", "id"))
            level_rows, channels, aliases = [], [], []
            for procedure in batch:
                pk = ids[procedure.code]
                for level in rng.choice(LEVEL_CHOICES):
                    level_rows.append(level_through(procedure_id=pk, administrativelevel_id=levels[level].pk))
                channels.append(
                    ProcedureChannel(
                        procedure_id=pk,
                        channel=Channel.ONLINE
                        if procedure.online_level != OnlineLevel.INFORMATION
                        else Channel.COUNTER,
                        time_value=procedure.processing_days,
                        time_unit=TimeUnit.WORKING_DAYS,
                        time_text=procedure.processing_time_text,
                    )
                )
                if rng.random() < 0.1:
                    aliases.append(ProcedureAlias(procedure_id=pk, phrase=f"làm {procedure.name.lower()}"[:300]))
            level_through.objects.bulk_create(level_rows)
            ProcedureChannel.objects.bulk_create(channels)
            if all(c.pk for c in channels):
                channel_ids = {c.procedure_id: c.pk for c in channels}
            else:
                channel_ids = dict(
                    ProcedureChannel.objects.filter(procedure_id__in=ids.values()).values_list("procedure_id", "id")
                )
            Fee.objects.bulk_create(
                Fee(
                    procedure_id=pk,
                    channel_id=channel_ids[pk],
                    kind=FeeKind.CHARGE,
                    amount=rng.choice([0, 0, 20000, 50000, 100000, 200000]),
                )
                for pk in ids.values()
            )
            ProcedureAlias.objects.bulk_create(aliases)
            # bulk_create bypasses Procedure.save(): fill the search columns and the vocabulary.
            procedure_refresh_search_text(procedure_ids=list(ids.values()))
            created += len(batch)
        catalogue_pages_changed()
    return GenerateReport(created=created, deleted=deleted)


def _unique_sector_code(name: str) -> str:
    code, suffix = code_slug(name, 60), 2
    while Sector.objects.filter(code=code).exists():
        code = f"{code_slug(name, 56)}-{suffix}"
        suffix += 1
    return code
