import pytest

from procedures.assistant.speech import money_words, spell_numbers, vietnamese_decimal_words, vietnamese_number_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (25, "hai mươi lăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (1050, "một nghìn không trăm năm mươi"),
        (50000, "năm mươi nghìn"),
        (150000, "một trăm năm mươi nghìn"),
        (1_000_010, "một triệu không trăm mười"),
        (1_500_000, "một triệu năm trăm nghìn"),
        (2_000_000_000, "hai tỷ"),
        (2_000_000_005, "hai tỷ không trăm linh năm"),
    ],
)
def test_vietnamese_number_words(number, words):
    assert vietnamese_number_words(number) == words


def test_money_and_decimals():
    assert money_words(50000) == "năm mươi nghìn đồng"
    assert vietnamese_decimal_words(1.5) == "một phẩy năm"
    assert vietnamese_decimal_words(3) == "ba"


def test_spell_numbers_reads_amounts_dates_and_counts_but_keeps_legal_codes():
    text = spell_numbers("Lệ phí 50.000 đồng, 200.000đ; 03 ngày kể từ 01/7/2025 theo Nghị định 116/2025/NĐ-CP")
    assert "năm mươi nghìn đồng" in text
    assert "hai trăm nghìn đồng" in text
    assert "ba ngày" in text
    assert "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm" in text
    assert "116/2025/NĐ-CP" in text
