from __future__ import annotations

import pytest

from portal.notifications.smstext import fold_to_gsm7, gsm7_length, segments, sms_text


def test_short_vietnamese_keeps_its_diacritics_in_one_segment():
    text = "Hồ sơ H01-0001 hợp lệ. Hẹn trả kết quả ngày 05/12/2026."
    assert len(text) <= 70
    assert sms_text(text) == text
    assert segments(text) == ("ucs2", 1)


def test_vietnamese_up_to_two_ucs2_segments_keeps_diacritics():
    text = "Hồ sơ 000.00.12.H01-261129-0001 đã được tiếp nhận. Hẹn trả kết quả ngày 05/12/2026. Cảm ơn ông/bà."
    assert 70 < len(text) <= 134
    assert sms_text(text) == text
    assert segments(text) == ("ucs2", 2)


def test_longer_vietnamese_is_folded_to_ascii():
    text = (
        "Hồ sơ 000.00.12.H01-261129-0001 đã được tiếp nhận. Hẹn trả kết quả ngày 05/12/2026. "
        "Tra cứu: https://dichvucong.binhan.gov.vn/ho-so/000.00.12.H01-261129-0001/"
    )
    assert len(text) > 134
    result = sms_text(text)
    assert result.startswith("Ho so 000.00.12.H01-261129-0001 da duoc tiep nhan. Hen tra ket qua ngay 05/12/2026.")
    assert result.endswith("/ho-so/000.00.12.H01-261129-0001/")
    assert segments(result) == ("gsm7", 1)


def test_too_long_even_without_diacritics_is_shortened_at_a_word():
    text = "Hồ sơ cần bổ sung: " + "bản sao giấy chứng nhận quyền sử dụng đất có chứng thực, " * 8
    result = sms_text(text)
    assert gsm7_length(result) <= 306
    assert result.endswith("...")
    assert result.startswith("Ho so can bo sung: ban sao")
    assert not result[:-3].endswith(" ")


def test_one_segment_cap_shortens_to_160():
    result = sms_text("Thông báo " * 40, max_segments=1)
    assert gsm7_length(result) <= 160
    assert segments(result) == ("gsm7", 1)


@pytest.mark.parametrize(
    ("source", "folded"),
    [
        ("Đường Lê Lợi, phường Đông Hà", "Duong Le Loi, phuong Dong Ha"),
        ("Ủy ban nhân dân tỉnh", "Uy ban nhan dan tinh"),
        ("“Hồ sơ” – hợp lệ…", '"Ho so" - hop le...'),
        # Decomposed input (as some national records store it) folds the same way.
        ("Nguye\u0302\u0303n", "Nguyen"),
    ],
)
def test_fold_to_gsm7(source, folded):
    assert fold_to_gsm7(source) == folded


def test_gsm7_extended_characters_count_twice():
    assert gsm7_length("[ab]") == 6
    assert segments("{" * 81) == ("gsm7", 2)
    assert segments("a" * 160) == ("gsm7", 1)
    assert segments("a" * 161) == ("gsm7", 2)
