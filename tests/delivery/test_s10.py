from delivery.carriers import s10


def test_check_digit_matches_the_upu_example():
    assert s10.check_digit("47312482") == 9
    assert s10.is_valid("RR473124829GB")
    assert not s10.is_valid("RR473124828GB")


def test_special_check_digits():
    # 11 - (sum % 11) gives 10 → 0 and 11 → 5.
    for serial in (f"{n:08d}" for n in range(0, 2000, 7)):
        assert 0 <= s10.check_digit(serial) <= 9
    assert s10.make("EB", 0) == "EB000000005VN"


def test_made_numbers_are_valid():
    number = s10.make("EB", 12345678)
    assert len(number) == 13 and number.startswith("EB") and number.endswith("VN")
    assert s10.is_valid(number)
