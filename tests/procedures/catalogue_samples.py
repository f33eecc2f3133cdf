"""Small catalogue files written inline (tests must not read ../shared)."""

from __future__ import annotations

import json

H = "Hình thức nộpThời gianPhí, lệ phíMô tả"
PAPERS = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL = "Tên văn bản pháp lýMã văn bản"


def csdl_record(code: str, **values) -> dict:
    base = {
        "ma_thu_tuc": code,
        "detail_url": f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{code}",
        "formality_id": "",
        "ten_thu_tuc": f"Thủ tục {code}",
        "so_quyet_dinh": "163/QĐ-BTP",
        "cap_thuc_hien": "Cấp tỉnh",
        "loai_thu_tuc": "Loại khác",
        "linh_vuc": "Lý lịch tư pháp",
        "doi_tuong_thuc_hien": "Công dân Việt Nam",
        "co_quan_co_tham_quyen": "",
        "dia_chi_tiep_nhan": "",
        "co_quan_duoc_uy_quyen": "",
        "co_quan_phoi_hop": "",
        "thu_tuc_lien_quan": "Không có thông tin",
        "trinh_tu_thuc_hien": "- Bước 1: Nộp tờ khai.\n- Bước 2: Nhận phiếu.",
        "cach_thuc_thuc_hien": H
        + "Trực tuyến10 Ngày làm việcMiễn phíTrực tiếp7 Ngày làm việc2,000 Việt Nam Đồng(2.000 đồng/thẻ)",
        "thanh_phan_ho_so": "--" + PAPERS + "Tờ khai xóa đăng ký theo mẫuMuTkhaixaK.docx1 bản chính",
        "can_cu_phap_ly": LEGAL + "Luật 28/2009/QH1228/2009/QH12",
        "co_quan_thuc_hien": "Công an tỉnh",
        "yeu_cau_dieu_kien": "Không có thông tin",
        "ket_qua_xu_ly": "Phiếu Lý lịch tư phápMã: KQ.G01.000199Từ khóaKhông có thông tinMô tảKhông có thông tin",
        "_source_path": f"scripts/crawler/data/raw/bo-tu-phap/{code}.json",
    }
    return {**base, **values}


def csdl_file(*records: dict) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def portal_procedure(code: str, **values) -> dict:
    base = {
        "code": code,
        "name": f"Đăng ký {code}",
        "sector": "Hộ tịch",
        "levels": ["commune"],
        "agencies": ["ubnd-xa-tan-lap"],
        "processing_days": 3,
        "online_level": "full",
        "channels": [
            {
                "channel": "online",
                "time_value": 3,
                "time_unit": "working_days",
                "time_text": "3 Ngày làm việc",
                "fee_text": "50,000 VNĐ",
                "fees": [{"kind": "charge", "amount": 50000, "currency": "VND", "condition": "", "text": "50,000 VNĐ"}],
            }
        ],
        "steps": ["Nộp hồ sơ.", "Nhận kết quả."],
        "documents": [{"name": "Tờ khai", "originals": 1, "copies": 0, "form_name": "To-khai.docx"}],
        "results": [{"name": "Giấy chứng nhận", "code": "KQ.G15.000031"}],
        "legal_bases": [{"title": "Luật Hộ tịch", "number": "60/2014/QH13"}],
        "aliases": ["làm giấy khai sinh"],
        "keywords": "khai sinh",
        "popularity": 10,
    }
    return {**base, **values}


AGENCY = {
    "code": "ubnd-xa-tan-lap",
    "name": "UBND xã Tân Lập",
    "level": "commune",
    "address": "1 đường Chính, xã Tân Lập",
    "phone": "0270 3800 001",
    "opening_hours": "Thứ Hai – Thứ Sáu, 7:30–11:30, 13:30–17:00",
}


def portal_document(*procedures: dict, agencies: list[dict] | None = None) -> str:
    document = {
        "format": "dichvucong-catalogue",
        "version": 1,
        "agencies": [AGENCY] if agencies is None else agencies,
        "procedures": list(procedures),
    }
    return json.dumps(document, ensure_ascii=False)
