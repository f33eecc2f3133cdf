"""The csdl parser on real values from the national records (copied here: tests must not read ../shared)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from procedures.importers.csdl import (
    parse_channels,
    parse_documents,
    parse_legal_bases,
    parse_record,
    parse_results,
    parse_steps,
)

H = "Hình thức nộpThời gianPhí, lệ phíMô tả"
PAPERS = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL = "Tên văn bản pháp lýMã văn bản"


def channels(text: str, steps: str = ""):
    issues: list[str] = []
    return parse_channels(text, steps, issues), issues


def test_bare_number_times_without_unit_are_kept_and_reported_1_001193():
    rows, issues = channels(H + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí")
    assert [r.channel for r in rows] == ["online", "post", "counter"]
    assert all(r.time_value == 1 and r.time_unit == "" and r.time_text == "1" for r in rows)
    assert all(len(r.fees) == 1 and r.fees[0].amount == 0 for r in rows)
    assert len([i for i in issues if "has no unit" in i]) == 3


def test_bare_number_is_working_days_when_the_steps_say_so():
    rows, issues = channels(H + "Trực tiếp3Miễn phí", steps="Trả kết quả trong 03 ngày làm việc.")
    assert (rows[0].time_value, rows[0].time_unit) == (Decimal(3), "working_days")
    assert issues == []


def test_working_days_and_fee_with_note_1_001321():
    rows, issues = channels(H + "Trực tiếp7 Ngày làm việc2,000 Việt Nam Đồng(2.000 đồng/thẻ)")
    (row,) = rows
    assert (row.channel, row.time_value, row.time_unit) == ("counter", Decimal(7), "working_days")
    assert row.fee_text == "2,000 Việt Nam Đồng(2.000 đồng/thẻ)"
    (fee,) = row.fees
    assert (fee.amount, fee.currency, fee.condition) == (2000, "VND", "2.000 đồng/thẻ")
    assert issues == []


def test_glued_time_and_amount_in_thousands_1_000014():
    rows, issues = channels(H + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)")
    assert [(r.channel, r.time_text) for r in rows] == [("online", "1"), ("counter", "1")]
    assert [r.fees[0].amount for r in rows] == [20000, 20000]
    assert any("read in thousands" in issue for issue in issues)


def test_glued_time_and_well_formed_amount():
    rows, _ = channels(H + "Trực tuyến120,000 VNĐ")
    assert rows[0].time_text == "1"
    assert rows[0].fees[0].amount == 20000


def test_days_and_unknown_cells_1_007797():
    rows, _ = channels(H + "Dịch vụ bưu chính20 Ngày200,000 VNĐTrực tiếpKhông có thông tinKhông có thông tin")
    post, counter = rows
    assert (post.time_value, post.time_unit, post.fees[0].amount) == (Decimal(20), "days", 200000)
    assert (counter.time_value, counter.fees) == (None, [])


def test_months_and_usd_1_001010():
    (row,), _ = channels(H + "Trực tiếp6 Tháng100 USD(100 USD/thẻ.)")
    assert (row.time_value, row.time_unit) == (Decimal(6), "months")
    assert (row.fees[0].amount, row.fees[0].currency) == (100, "USD")


def test_hours_1_008616():
    (row,), _ = channels(H + "Trực tiếp8 GiờMiễn phí")
    assert (row.time_value, row.time_unit, row.fees[0].amount) == (Decimal(8), "hours", 0)


def test_decomposed_marks_are_normalised_and_a_fee_line_without_amount_is_reported_1_002613():
    raw = (
        "H\xecnh th\u1ee9c n\u1ed9pTh\u1eddi gianPh\xed, l\u1ec7 ph\xedM\xf4 t\u1ea3Tr\u1ef1c ti\u1ebfp20 Ng\xe0y"
        " l\xe0m vi\u1ec7c2,500,000 Vi\u1ec7t Nam \u0110\u1ed3ng(Ph\xed : \u0110\u1ed3ng (T\u01b0\u0300 nga\u0300y"
        " 01/7/2025 \u0111\xea\u0301n h\xea\u0301t nga\u0300y 31/12/2026 a\u0301p du\u0323ng theo quy \u0111i\u0323nh"
        " ta\u0323i Th\xf4ng t\u01b0 s\xf4\u0301 64/2025/TT-BTC))20 ng\xe0y l\xe0m vi\u1ec7c k\u1ec3 t\u1eeb khi"
        " nh\u1eadn \u0111\u1ee7 h\u1ed3 s\u01a1 h\u1ee3p l\u1ec7."
    )
    assert not unicodedata.is_normalized("NFC", raw)
    (row,), issues = channels(raw)
    assert (row.time_value, row.time_unit) == (Decimal(20), "working_days")
    cell, extra = row.fees
    assert (cell.amount, extra.kind, extra.amount) == (2500000, "fee", None)
    assert extra.condition.startswith("Từ ngày 01/7/2025")  # composed again
    assert unicodedata.is_normalized("NFC", row.fee_text)
    assert row.description == "20 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ."
    assert any("states no amount" in issue for issue in issues)


def test_unbalanced_note_stops_at_the_next_row_1_004289():
    note = (
        "(Sát hạch thực hành, Phí: 600,000 (Sát hạch lý thuyết cấp giấy phép lần đầu (Miễn phí từ ngày 07/4/2026 "
        "đến 30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC)25 ngày, kể từ ngày nhận được hồ sơ hợp lệ"
    )
    rows, issues = channels(H + "Dịch vụ bưu chính25 Ngày1,700,000 VNĐ" + note + "Trực tiếp25 Ngày1,700,000 VNĐ" + note)
    assert [r.channel for r in rows] == ["post", "counter"]
    for row in rows:
        assert [fee.amount for fee in row.fees] == [1700000, 600000]
        assert row.fees[1].condition.startswith("Sát hạch lý thuyết")
    assert any("do not close" in issue for issue in issues)


def test_wrong_currency_read_from_the_note_1_003358():
    rows, issues = channels(
        H + "Trực tuyến5 Ngày làm việc145 USD(Thẻ tạm trú có thời hạn không quá 02 năm: 145 USD/thẻ.)Trực tuyến: nộp "
        "hồ sơ trực tuyến qua Cổng dịch vụ công quốc gia.Trực tiếp5 Ngày làm việc155 VNĐ(Thẻ tạm trú có thời hạn "
        "từ trên 02 năm đến 05 năm: 155 USD/thẻ.)Trực tiếp nộp hồ sơ và nhận kết quả tại trụ sở."
    )
    online, counter = rows
    assert online.description.startswith("Trực tuyến: nộp hồ sơ")  # a channel name inside a description
    assert (counter.fees[0].amount, counter.fees[0].currency) == (155, "USD")
    assert any("read as 155 USD" in issue for issue in issues)


def test_free_cell_with_a_paid_note_is_reported():
    (row,), issues = channels(H + "Trực tiếp1 Ngày làm việcMiễn phí(50.000 đồng/giấy)")
    assert row.fees[0].amount == 0
    assert any("note quotes an amount" in issue for issue in issues)


def test_note_restating_the_cell_gives_one_line_with_its_kind_1_014900():
    (row,), _ = channels(H + "Trực tiếp5 Ngày làm việc50,000 Việt Nam Đồng(Phí : 50.000 Đồng - 50.000đ/tem “AB”)")
    assert [(fee.kind, fee.amount) for fee in row.fees] == [("fee", 50000)]


def test_fee_lines_in_the_description_1_003135():
    (row,), _ = channels(
        H + "Trực tuyến5 Ngày làm việcKhông có thông tin- 05 ngày làm việc kể từ ngày nhận đủ hồ sơ\n- Lệ phí : "
        "20.000 Đồng (Lệ phí cấp chứng chỉ); - Lệ phí : 50.000 Đồng (Lệ phí cấp giấy chứng nhận)"
    )
    assert [(fee.kind, fee.amount, fee.condition) for fee in row.fees] == [
        ("charge", 20000, "Lệ phí cấp chứng chỉ"),
        ("charge", 50000, "Lệ phí cấp giấy chứng nhận"),
    ]


def test_free_text_time_is_kept_as_text():
    (row,), issues = channels(H + "Trực tiếpKhông quy địnhMiễn phí")
    assert (row.time_value, row.time_text) == (None, "Không quy định")


def test_papers_with_counts_inside_names_1_004281():
    issues: list[str] = []
    docs = parse_documents(
        "--"
        + PAPERS
        + "01 Giấy đề nghị phê duyệt Kế hoạch an ninh tàu biển theo mẫu quy định;1 bản chính01 bản chính Kế hoạch an "
        "ninh tàu biển.1 bản chính",
        issues,
    )
    assert [(d.name, d.originals, d.copies, d.group) for d in docs] == [
        ("01 Giấy đề nghị phê duyệt Kế hoạch an ninh tàu biển theo mẫu quy định;", 1, 0, ""),
        ("01 bản chính Kế hoạch an ninh tàu biển.", 1, 0, ""),
    ]
    assert issues == []


def test_paper_with_blank_form_file_1_002508():
    (doc,) = parse_documents("--" + PAPERS + "Tờ khai xóa đăng ký theo mẫuMuTkhaixaK.docx1 bản chính", [])
    assert (doc.name, doc.form_name, doc.originals) == ("Tờ khai xóa đăng ký theo mẫu", "MuTkhaixaK.docx", 1)


def test_paper_groups_and_copies_1_009058():
    docs = parse_documents(
        "Trường hợp gửi qua Hệ thống xử lý dữ liệu điện tử hải quan"
        + PAPERS
        + "Chứng nhận xuất xứ hàng hóa (C/O)0 bản chính,1 bản saoTrường hợp hệ thống xử lý dữ liệu điện tử hải quan "
        "chưa đáp ứng theo dõi trừ lùi C/O " + PAPERS + "Chứng nhận xuất xứ hàng hóa (C/O)0 bản chính,1 bản sao",
        [],
    )
    assert [(d.group, d.name, d.originals, d.copies) for d in docs] == [
        ("Trường hợp gửi qua Hệ thống xử lý dữ liệu điện tử hải quan", "Chứng nhận xuất xứ hàng hóa (C/O)", 0, 1),
        (
            "Trường hợp hệ thống xử lý dữ liệu điện tử hải quan chưa đáp ứng theo dõi trừ lùi C/O",
            "Chứng nhận xuất xứ hàng hóa (C/O)",
            0,
            1,
        ),
    ]


def test_count_glued_to_a_year_in_the_name_3_000518():
    (doc,) = parse_documents("--" + PAPERS + "Giấy đề nghị giảm tiền thuê đất năm 20251 bản chính", [])
    assert (doc.name, doc.originals) == ("Giấy đề nghị giảm tiền thuê đất năm 2025", 1)


def test_papers_without_header_are_kept_and_reported():
    issues: list[str] = []
    (doc,) = parse_documents(") và nộp cho cơ quan BHXH.", issues)
    assert doc.name == ") và nộp cho cơ quan BHXH." and issues


def test_legal_basis_rows_1_000025():
    bases = parse_legal_bases(
        LEGAL + "Nghị định 118/2014/NĐ-CP118/2014/NĐ-CPThông tư 02/2015/TT-BNNPTNT02/2015/TT-BNNPTNT", []
    )
    assert [(b.title, b.number) for b in bases] == [
        ("Nghị định 118/2014/NĐ-CP", "118/2014/NĐ-CP"),
        ("Thông tư 02/2015/TT-BNNPTNT", "02/2015/TT-BNNPTNT"),
    ]


def test_legal_basis_title_without_number_1_010700():
    bases = parse_legal_bases(LEGAL + "Luật Quản lý thuế38/2019/QH14Thông tư 10/2021/TT-BTC10/2021/TT-BTC", [])
    assert [(b.title, b.number) for b in bases] == [
        ("Luật Quản lý thuế", "38/2019/QH14"),
        ("Thông tư 10/2021/TT-BTC", "10/2021/TT-BTC"),
    ]


def test_legal_basis_number_column_holding_the_title_3_000039():
    bases = parse_legal_bases(LEGAL + "Nghị định 100/2015/NĐ-CPNghị định 100/2015/NĐ-CP", [])
    assert [(b.title, b.number) for b in bases] == [("Nghị định 100/2015/NĐ-CP", "100/2015/NĐ-CP")]


def test_legal_basis_split_at_the_repeated_number_3_000333():
    bases = parse_legal_bases(LEGAL + "Luật 28/2009/QH1228/2009/QH12", [])
    assert [(b.title, b.number) for b in bases] == [("Luật 28/2009/QH12", "28/2009/QH12")]


def test_legal_basis_numbers_inside_titles_and_a_glued_year():
    bases = parse_legal_bases(
        LEGAL + "Luật sửa đổi, bổ sung một số điều của Luật Doanh nghiệp 202076/2025/QH15Nghị định số 120/2025/NĐ-CP"
        " ngày 11/6/2025 của Chính phủ120/2025/NĐ-CP",
        [],
    )
    assert [(b.title, b.number) for b in bases] == [
        ("Luật sửa đổi, bổ sung một số điều của Luật Doanh nghiệp 2020", "76/2025/QH15"),
        ("Nghị định số 120/2025/NĐ-CP ngày 11/6/2025 của Chính phủ", "120/2025/NĐ-CP"),
    ]


def test_legal_basis_sentence_is_kept_and_reported():
    issues: list[str] = []
    bases = parse_legal_bases(": Thông tư 269/2016/TT-BTC quy định phí", issues)
    assert bases and "269/2016/TT-BTC" in " ".join(b.title + b.number for b in bases)
    assert issues


def test_results_with_codes_1_007754():
    section = parse_results(
        "Thông quan hàng hóa nhập khẩu, xuất khẩuMã: KQ.G12.000355Xác nhận thông quan trên hệ thốngMã: "
        "KQ.G12.000305Từ khóaKhông có thông tinMô tảKhông có thông tin",
        [],
    )
    assert [(r.name, r.code) for r in section.results] == [
        ("Thông quan hàng hóa nhập khẩu, xuất khẩu", "KQ.G12.000355"),
        ("Xác nhận thông quan trên hệ thống", "KQ.G12.000305"),
    ]
    assert section.keywords == ""


def test_result_code_variant_1_004198():
    section = parse_results(
        "Quyết định hành chínhMã: 000.00.00.G11-KQ1711Từ khóaKhông có thông tinMô tảKhông có thông tin", []
    )
    assert [(r.name, r.code) for r in section.results] == [("Quyết định hành chính", "000.00.00.G11-KQ1711")]


def test_results_drop_the_agency_picker_and_keep_keywords_3_000333():
    section = parse_results(
        "Phiếu Lý lịch tư pháp số 2 (Cấp tỉnh)Mã: KQ.G01.000199Phiếu Lý lịch tư pháp số 1 (Cấp tỉnh)Mã: "
        "KQ.G01.000200Từ khóaLý lịch tư phápMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ "
        "ngành-- Chọn Tỉnh/ Thành phố --Phường/ XãSở-- Chọn Phường/ Xã --Nộp hồ sơ",
        [],
    )
    assert [r.code for r in section.results] == ["KQ.G01.000199", "KQ.G01.000200"]
    assert section.keywords == "Lý lịch tư pháp"


def test_steps_split_on_buoc_and_lines():
    assert parse_steps("- Bước 1: Nộp hồ sơ.\n- Bước 2: Nhận kết quả.") == ["Nộp hồ sơ.", "Nhận kết quả."]
    assert parse_steps("Nộp hồ sơ tại UBND.\n\nNhận kết quả.") == ["Nộp hồ sơ tại UBND.", "Nhận kết quả."]
    assert parse_steps("Không có thông tin") == []


def record(**values):
    base = {
        "ma_thu_tuc": "3.000333",
        "ten_thu_tuc": "Cấp Phiếu Lý lịch tư pháp",
        "cap_thuc_hien": "Cấp tỉnh",
        "linh_vuc": "Lý lịch tư pháp",
        "co_quan_thuc_hien": "Công an tỉnh",
        "yeu_cau_dieu_kien": "Không có thông tin",
        "cach_thuc_thuc_hien": H + "Trực tuyến10 Ngày làm việcMiễn phíTrực tiếp12 Ngày làm việcMiễn phí",
        "trinh_tu_thuc_hien": "- Bước 1: Nộp tờ khai.\n- Bước 2: Nhận phiếu.",
        "thanh_phan_ho_so": "--" + PAPERS + "Tờ khai yêu cầu cấp Phiếu Lý lịch tư pháp;1 bản chính",
        "can_cu_phap_ly": LEGAL + "Luật 28/2009/QH1228/2009/QH12",
        "ket_qua_xu_ly": "Phiếu Lý lịch tư phápMã: KQ.G01.000199Từ khóaKhông có thông tinMô tảKhông có thông tin",
        "thu_tuc_lien_quan": "Không có thông tin",
    }
    return {**base, **values}


def test_record_summary_levels_and_online_level():
    data = parse_record(record())
    assert data.processing_days == Decimal(10)
    assert data.processing_time_text == "10 Ngày làm việc; 12 Ngày làm việc"
    assert data.online_level == "full"
    assert data.levels == ["province"]
    assert data.sector == "Lý lịch tư pháp"
    assert data.implementing_agency_text == "Công an tỉnh"
    assert data.conditions == ""
    assert data.source_record["ma_thu_tuc"] == "3.000333"
    assert data.steps == ["Nộp tờ khai.", "Nhận phiếu."]


def test_record_levels_mapping_and_unknown_level_reported():
    data = parse_record(record(cap_thuc_hien="Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác, Cấp thôn"))
    assert data.levels == ["ministry", "province", "commune", "other"]
    assert any("Cấp thôn" in issue for issue in data.parse_issues)


def test_record_online_level_rule():
    assert (
        parse_record(record(cach_thuc_thuc_hien=H + "Dịch vụ bưu chính5 Ngày làm việcMiễn phí")).online_level
        == "partial"
    )
    assert (
        parse_record(record(cach_thuc_thuc_hien=H + "Trực tiếp5 Ngày làm việcMiễn phí")).online_level == "information"
    )


def test_record_without_rows_keeps_the_text_as_an_issue_1_009825():
    data = parse_record(
        record(cach_thuc_thuc_hien=H + "Trực tiếpKhôngKhông có thông tinTại Trung tâm phục vụ hành chính công")
    )
    (row,) = data.channels
    assert row.time_text == "Không" and row.time_value is None
    assert row.description == "Tại Trung tâm phục vụ hành chính công"


def test_steps_spilled_into_the_papers_field_go_back_to_the_steps_1_001613():
    data = parse_record(
        record(
            trinh_tu_thuc_hien="Bước 1. Lập hồ sơ theo quy định tại mục 9.3 (",
            thanh_phan_ho_so=") và nộp cho cơ quan BHXH.\nBước 2. Cơ quan BHXH tiếp nhận hồ sơ và giải quyết theo quy định.",
        )
    )
    assert data.steps == [
        "Lập hồ sơ theo quy định tại mục 9.3 () và nộp cho cơ quan BHXH.",
        "Cơ quan BHXH tiếp nhận hồ sơ và giải quyết theo quy định.",
    ]
    assert data.documents == []
    assert any("rest of the steps" in issue for issue in data.parse_issues)


def test_temporary_rate_in_the_note_becomes_its_own_line_1_002181():
    (row,), _ = channels(
        H + "Trực tuyến7 Ngày làm việc2,000,000 Việt Nam Đồng((áp dụng mức phí 1.000.000 đồng/hồ sơ kể từ ngày "
        "01/7/2025 đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC))"
    )
    cell, temporary = row.fees
    assert (cell.amount, temporary.kind, temporary.amount) == (2000000, "fee", 1000000)
    assert temporary.condition.startswith("áp dụng mức phí 1.000.000 đồng/hồ sơ kể từ ngày 01/7/2025")
