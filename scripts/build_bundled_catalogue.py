"""Build ``procedures/data/catalogue.json``: the demo province's catalogue, from the national file.

    DEBUG=1 .venv/bin/python scripts/build_bundled_catalogue.py [/work/shared/data/csdl/procedures.jsonl]

Selects 304 procedures that a province and its communes handle (``cap_thuc_hien``
includes Cấp tỉnh or Cấp xã) from the sectors citizens deal with most, parses them with the
portal's csdl parser, links them to the demo agencies of "tỉnh Bình An", adds everyday aliases,
keywords and a popularity rank to the most asked ones, and applies the province's own
decisions where the national record leaves a value to the province (listed in the file under
``province_overrides`` and in ``docs/catalogue-format.md``). The national source records are
left out to keep the file small; the ``*_text`` fields keep the published text.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from procedures.importers.csdl import parse_record  # noqa: E402
from procedures.importers.portal_format import write_json  # noqa: E402
from procedures.importers.records import AgencyData, ChannelData, FeeData  # noqa: E402

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/csdl/procedures.jsonl")
TARGET = ROOT / "procedures" / "data" / "catalogue.json"
TARGET_SIZE = 304
HOURS = "Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:00; sáng thứ Bảy: 7:30–11:30"

PROVINCE = [
    ("ubnd-tinh-binh-an", "Ủy ban nhân dân tỉnh Bình An", "UBND tỉnh", "01 Quảng trường Trung tâm, phường Hòa Bình"),
    ("so-tu-phap", "Sở Tư pháp tỉnh Bình An", "Sở Tư pháp", "12 đường Lê Lợi, phường Hòa Bình"),
    ("so-tai-chinh", "Sở Tài chính tỉnh Bình An", "Sở Tài chính", "14 đường Lê Lợi, phường Hòa Bình"),
    ("so-xay-dung", "Sở Xây dựng tỉnh Bình An", "Sở Xây dựng", "20 đường Trần Hưng Đạo, phường An Phú"),
    (
        "so-nong-nghiep-moi-truong",
        "Sở Nông nghiệp và Môi trường tỉnh Bình An",
        "Sở Nông nghiệp và Môi trường",
        "35 đường Nguyễn Huệ, phường An Phú",
    ),
    ("cong-an-tinh", "Công an tỉnh Bình An", "Công an tỉnh", "02 đường Hùng Vương, phường Hòa Bình"),
    ("bhxh-tinh", "Bảo hiểm xã hội tỉnh Bình An", "BHXH tỉnh", "48 đường Nguyễn Trãi, phường Hòa Bình"),
    (
        "ttpvhcc-tinh",
        "Trung tâm Phục vụ hành chính công tỉnh Bình An",
        "Trung tâm PVHCC tỉnh",
        "05 Quảng trường Trung tâm, phường Hòa Bình",
    ),
]
COMMUNES = [
    ("ubnd-phuong-hoa-binh", "UBND phường Hòa Bình", "10 đường Lý Thường Kiệt, phường Hòa Bình"),
    ("ubnd-phuong-an-phu", "UBND phường An Phú", "88 đường Nguyễn Huệ, phường An Phú"),
    ("ubnd-xa-tan-lap", "UBND xã Tân Lập", "Thôn Trung, xã Tân Lập"),
    ("ubnd-xa-binh-minh", "UBND xã Bình Minh", "Thôn Đông, xã Bình Minh"),
]

# Sector → (province agency, how many procedures at most). Order = priority when filling up.
SECTORS = {
    "Hộ tịch": ("so-tu-phap", 40),
    "Chứng thực": ("so-tu-phap", 11),
    "Đăng ký, quản lý cư trú": ("cong-an-tinh", 13),
    "Cấp, quản lý căn cước": ("cong-an-tinh", 16),
    "Lý lịch tư pháp": ("cong-an-tinh", 4),
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": ("so-tai-chinh", 7),
    "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã": ("so-tai-chinh", 8),
    "Thành lập và hoạt động của doanh nghiệp": ("so-tai-chinh", 10),
    "Đất đai": ("so-nong-nghiep-moi-truong", 31),
    "Hoạt động xây dựng": ("so-xay-dung", 16),
    "Nhà ở và công sở": ("so-xay-dung", 6),
    "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng": ("cong-an-tinh", 11),
    "Sát hạch, cấp giấy phép lái xe": ("cong-an-tinh", 7),
    "Quản lý xuất nhập cảnh": ("cong-an-tinh", 11),
    "Chính sách": ("bhxh-tinh", 10),
    "Thực hiện chính sách BHXH": ("bhxh-tinh", 12),
    "Người có công": ("ubnd-tinh-binh-an", 6),
    "Nuôi con nuôi": ("so-tu-phap", 6),
    "Trợ giúp pháp lý": ("so-tu-phap", 5),
    "Công chứng": ("so-tu-phap", 6),
    "Quốc tịch": ("so-tu-phap", 3),
    "Đường bộ": ("so-xay-dung", 10),
    "Nông nghiệp": ("so-nong-nghiep-moi-truong", 6),
    "Thủy lợi": ("so-nong-nghiep-moi-truong", 5),
    "Tài nguyên nước": ("so-nong-nghiep-moi-truong", 5),
    "Lâm nghiệp": ("so-nong-nghiep-moi-truong", 4),
    "Thú y": ("so-nong-nghiep-moi-truong", 4),
    "Phòng cháy, chữa cháy": ("cong-an-tinh", 5),
    "Kinh tế hợp tác và Phát triển nông thôn": ("so-nong-nghiep-moi-truong", 4),
    "Đầu tư tại Việt nam": ("so-tai-chinh", 5),
    "Hàng hải và đường thủy nội địa": ("so-xay-dung", 8),
    "Thủy sản": ("so-nong-nghiep-moi-truong", 5),
    "Chăn nuôi": ("so-nong-nghiep-moi-truong", 4),
    "Trồng trọt và Bảo vệ thực vật": ("so-nong-nghiep-moi-truong", 4),
}

# The most asked procedures: everyday phrases people type or say, keywords, rank (popularity).
POPULAR: dict[str, tuple[list[str], str]] = {
    "1.001612": (
        [
            "giấy phép kinh doanh hộ cá thể",
            "đăng ký kinh doanh hộ cá thể",
            "đăng ký hộ kinh doanh",
            "mở quán",
            "làm giấy phép kinh doanh",
        ],
        "hộ kinh doanh, kinh doanh cá thể, buôn bán, mở cửa hàng, bán hàng",
    ),
    "1.001193": (
        ["làm khai sinh cho con", "làm giấy khai sinh", "khai sinh cho bé"],
        "khai sinh, giấy khai sinh, trẻ em",
    ),
    "3.000333": (
        ["làm lý lịch tư pháp", "xin lý lịch tư pháp", "phiếu lý lịch tư pháp", "xác nhận không tiền án"],
        "lý lịch tư pháp, tiền án, xin việc, đi nước ngoài",
    ),
    "1.014061": (["làm căn cước", "làm căn cước công dân", "làm CCCD"], "căn cước, CCCD, chứng minh nhân dân"),
    "1.004194": (["khai báo tạm trú", "làm tạm trú", "tạm trú cho người thuê trọ"], "tạm trú, thuê trọ, cư trú"),
    "1.004222": (["nhập hộ khẩu", "đăng ký hộ khẩu", "chuyển hộ khẩu"], "thường trú, hộ khẩu, cư trú"),
    "1.000894": (["đăng ký kết hôn", "làm giấy đăng ký kết hôn", "giấy chứng nhận kết hôn"], "kết hôn, cưới, hôn nhân"),
    "2.000815": (["công chứng giấy tờ", "sao y bản chính", "photo công chứng"], "chứng thực, bản sao, sao y"),
    "1.001456": (["làm hộ chiếu", "làm passport", "cấp hộ chiếu"], "hộ chiếu, passport, xuất cảnh"),
    "1.012753": (
        ["làm sổ đỏ", "cấp sổ đỏ", "làm sổ hồng", "cấp giấy chứng nhận quyền sử dụng đất"],
        "sổ đỏ, sổ hồng, đất đai, nhà đất",
    ),
    "1.004873": (["giấy xác nhận độc thân", "xác nhận độc thân"], "độc thân, hôn nhân"),
    "1.000656": (["làm giấy chứng tử", "báo tử"], "khai tử, chứng tử, người mất"),
    "1.013225": (["xin giấy phép xây dựng", "xin phép xây nhà", "giấy phép xây nhà"], "xây nhà, giấy phép xây dựng"),
    "1.014063": (["đổi căn cước", "đổi CCCD"], "căn cước, CCCD"),
    "1.014064": (["làm lại căn cước", "mất căn cước", "mất CCCD"], "căn cước, CCCD, mất giấy tờ"),
    "3.000348": (["cấp lại bằng lái xe", "mất bằng lái", "làm lại bằng lái"], "giấy phép lái xe, bằng lái"),
    "1.002438": (["đổi thẻ bảo hiểm y tế", "đổi thẻ BHYT", "thẻ BHYT bị hỏng"], "bảo hiểm y tế, BHYT"),
    "1.013076": (["sang tên xe", "sang tên xe máy", "mua bán xe"], "đăng ký xe, sang tên, biển số"),
    "1.012575": (["đăng ký xe mới", "làm biển số xe", "đăng ký xe máy"], "đăng ký xe, biển số, xe máy, ô tô"),
    "1.003197": (["cắt khẩu", "xóa hộ khẩu"], "thường trú, hộ khẩu"),
    "1.002755": (["gia hạn tạm trú"], "tạm trú, cư trú"),
    "2.000635": (
        ["xin bản sao giấy khai sinh", "trích lục khai sinh", "trích lục hộ tịch"],
        "trích lục, bản sao, hộ tịch",
    ),
    "1.004884": (["làm lại giấy khai sinh", "đăng ký lại khai sinh"], "khai sinh, mất giấy khai sinh"),
    "1.004859": (["sửa tên trong giấy khai sinh", "cải chính hộ tịch", "đổi tên"], "cải chính, thay đổi hộ tịch"),
    "1.010041": (["xác nhận cư trú", "giấy xác nhận nơi ở"], "cư trú, xác nhận"),
    "1.010038": (["tách hộ khẩu", "tách hộ"], "hộ khẩu, thường trú"),
    "1.003677": (["khai báo tạm vắng", "báo tạm vắng"], "tạm vắng, cư trú"),
    "2.000720": (["thay đổi đăng ký hộ kinh doanh", "đổi địa chỉ hộ kinh doanh"], "hộ kinh doanh"),
    "1.001266": (["đóng cửa hộ kinh doanh", "giải thể hộ kinh doanh", "nghỉ kinh doanh hẳn"], "hộ kinh doanh"),
    "1.001570": (["tạm nghỉ kinh doanh", "tạm ngừng kinh doanh hộ cá thể"], "hộ kinh doanh, tạm ngừng"),
    "1.013831": (["sang tên sổ đỏ", "chuyển nhượng đất", "mua bán đất"], "đất đai, chuyển nhượng, biến động"),
    "1.012784": (["tách thửa đất", "tách sổ đỏ", "hợp thửa"], "đất đai, tách thửa"),
}
MUST = [
    "1.001612",
    "1.001266",
    "1.001570",
    "3.000333",
    "3.000334",
    "1.001193",
    "1.000894",
    "1.000656",
    "1.004873",
    "2.000815",
    "1.002755",
    "1.003197",
    "1.004194",
    "1.004222",
    "1.001456",
    "1.012753",
    "1.013225",
    "1.002438",
    "3.000348",
    # Common provincial procedures callers ask about: maternity and sickness benefits,
    # exchanging a land-use certificate, visas for foreigners.
    "2.000693",
    "1.001667",
    "1.012783",
    "1.001194",
]
FULL_ONLINE_TARGET = 40


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def agencies() -> list[AgencyData]:
    result = [
        AgencyData(
            code=code,
            name=name,
            short_name=short,
            level="province",
            parent="" if code == "ubnd-tinh-binh-an" else "ubnd-tinh-binh-an",
            address=f"{address}, tỉnh Bình An",
            phone=f"0270 3{index:03d} 100",
            email=f"{code}@binhan.gov.vn",
            opening_hours=HOURS,
        )
        for index, (code, name, short, address) in enumerate(PROVINCE, start=1)
    ]
    result += [
        AgencyData(
            code=code,
            name=name,
            short_name=name.replace("UBND ", ""),
            level="commune",
            parent="ubnd-tinh-binh-an",
            address=f"{address}, tỉnh Bình An",
            phone=f"0270 38{index:02d} 200",
            email=f"{code}@binhan.gov.vn",
            opening_hours=HOURS,
        )
        for index, (code, name, address) in enumerate(COMMUNES, start=1)
    ]
    return result


def select(records: dict[str, dict]) -> list[str]:
    eligible = {
        code: record
        for code, record in records.items()
        if "Cấp tỉnh" in record["cap_thuc_hien"] or "Cấp xã" in record["cap_thuc_hien"]
    }
    chosen = [code for code in MUST if code in eligible]
    chosen += [code for code in POPULAR if code in eligible and code not in chosen]
    by_sector: dict[str, list[str]] = {}
    for code, record in sorted(eligible.items()):
        by_sector.setdefault(nfc(record["linh_vuc"]), []).append(code)
    for sector, (_agency, quota) in SECTORS.items():
        already = sum(1 for code in chosen if nfc(records[code]["linh_vuc"]) == sector)
        candidates = sorted(
            (code for code in by_sector.get(sector, []) if code not in chosen),
            # Procedures citizens ask for first, then those whose record parses cleanly.
            key=lambda code: (
                "Công dân" not in records[code]["doi_tuong_thuc_hien"],
                len(parse_record(records[code]).parse_issues),
                code,
            ),
        )
        chosen += candidates[: max(0, quota - already)]
    return chosen[:TARGET_SIZE]


def override_household_business(procedure, overrides: list[dict]) -> None:
    """1.001612: the national record leaves the fee to the provincial People's Council."""
    published = [(c.channel, c.time_text, c.fee_text[:40]) for c in procedure.channels]
    for channel in procedure.channels:
        channel.time_value, channel.time_unit = Decimal(3), "working_days"
        channel.time_text = "03 ngày làm việc"
        channel.fee_text = "50.000 đồng (lệ phí đăng ký hộ kinh doanh, Nghị quyết của HĐND tỉnh Bình An)"
        channel.fees = [
            FeeData(
                kind="charge",
                amount=50000,
                condition="Mức thu do Hội đồng nhân dân tỉnh Bình An quyết định (Thông tư 85/2019/TT-BTC).",
                text="50.000 đồng",
            )
        ]
    if not any(channel.channel == "online" for channel in procedure.channels):
        procedure.channels.insert(0, ChannelData(channel="online", time_value=Decimal(3), time_unit="working_days"))
    procedure.processing_days = Decimal(3)
    procedure.processing_time_text = "03 ngày làm việc"
    procedure.online_level = "full"
    procedure.parse_issues.append(
        "province override (tỉnh Bình An): fee 50.000 đ (lệ phí), 3 working days, fully online; "
        f"the national record published {published}"
    )
    overrides.append(
        {
            "code": procedure.code,
            "fields": ["channels.fees", "channels.time_value", "processing_days", "online_level"],
            "national": "online/post 150,000 Việt Nam Đồng, counter 50,000 VNĐ, time cells 'Không có thông tin'; "
            "the note says the amount is set by each provincial People's Council; the steps say 03 working days",
            "province": "lệ phí 50.000 đ on every channel, 3 working days, fully online with online payment",
            "reason": "the fee is decided by the provincial People's Council (Thông tư 85/2019/TT-BTC)",
        }
    )


def main() -> None:
    records = {}
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        records[record["ma_thu_tuc"]] = record
    codes = select(records)
    rank = {code: 1000 - 10 * index for index, code in enumerate(POPULAR)}
    overrides: list[dict] = []
    procedures = []
    for code in codes:
        procedure = parse_record(records[code])
        procedure.source_record = {}
        sector_agency = SECTORS.get(procedure.sector, ("ubnd-tinh-binh-an", 0))[0]
        linked = []
        if "province" in procedure.levels or "ministry" in procedure.levels:
            linked += [sector_agency, "ttpvhcc-tinh"]
        if "commune" in procedure.levels:
            linked += [code for code, _name, _address in COMMUNES]
        procedure.agencies = sorted(set(linked or [sector_agency]))
        if code in POPULAR:
            procedure.aliases = sorted(set(POPULAR[code][0]))
            procedure.keywords = ", ".join(filter(None, [procedure.keywords, POPULAR[code][1]]))
            procedure.popularity = rank[code]
        procedures.append(procedure)
    by_code = {procedure.code: procedure for procedure in procedures}
    override_household_business(by_code["1.001612"], overrides)
    # The province has wired online payment for about 40 common procedures: those are "full";
    # other procedures with an online channel are "partial" (submit online, pay at the desk).
    full = [code for code in POPULAR if code in by_code and by_code[code].online_level == "full"]
    full += [
        p.code
        for p in procedures
        if p.code not in full
        and p.online_level == "full"
        and p.sector in {"Hộ tịch", "Chứng thực", "Đăng ký, quản lý cư trú"}
    ]
    full = full[:FULL_ONLINE_TARGET]
    for procedure in procedures:
        if procedure.code in full:
            procedure.online_level = "full"
        elif procedure.online_level == "full":
            procedure.online_level = "partial"
    overrides.append(
        {
            "code": "*",
            "fields": ["online_level"],
            "national": "an online channel in the national record",
            "province": f"full for the {len(full)} procedures with online payment wired by the province; "
            "partial for the other procedures with an online channel",
            "codes": sorted(full),
        }
    )
    text = write_json(
        procedures,
        agencies(),
        extra={
            "title": "Danh mục thủ tục hành chính tỉnh Bình An (dữ liệu mẫu)",
            "source": "Cơ sở dữ liệu quốc gia về thủ tục hành chính, crawled 8–10 June 2026 "
            "(github.com/chatbot-tthc/chatbot_tthc @ 53229487); source records omitted",
            "generated_by": "scripts/build_bundled_catalogue.py",
            "province_overrides": overrides,
        },
    )
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    sectors = {p.sector for p in procedures}
    print(
        f"{len(procedures)} procedures, {len(sectors)} sectors, {len(full)} fully online, "
        f"{sum(1 for p in procedures if 'commune' in p.levels)} at commune level, "
        f"{sum(1 for p in procedures if 'province' in p.levels)} at province level → {TARGET.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
