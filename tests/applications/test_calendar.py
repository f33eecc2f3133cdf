from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from applications import calendar
from applications.constants import CalendarExceptionKind
from applications.models import CalendarException

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 13), True),  # Friday before Tết
        (D(2026, 2, 16), False),  # Tết 2026 (Lunar New Year's Eve)
        (D(2026, 2, 20), False),
        (D(2026, 2, 21), False),  # Saturday
        (D(2026, 2, 23), True),
        (D(2027, 2, 4), False),  # Tết 2027
        (D(2027, 2, 10), False),
        (D(2027, 2, 11), True),
        (D(2026, 9, 2), False),  # National Day
        (D(2026, 4, 30), False),
    ],
)
def test_is_working_day_knows_weekends_and_holidays(day, working):
    assert calendar.is_working_day(day) is working


def test_add_working_days_skips_tet_2026():
    # Friday 13/02/2026 is day 0; Tết takes 16–20/02, then the weekend of 21–22/02.
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert calendar.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_add_working_days_skips_tet_2027():
    assert calendar.add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)
    assert calendar.add_working_days(D(2027, 2, 3), 5) == D(2027, 2, 17)


def test_add_working_days_skips_weekend_and_zero_is_same_day():
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)
    assert calendar.add_working_days(D(2026, 3, 6), 0) == D(2026, 3, 6)
    assert calendar.add_working_days(D(2026, 3, 2), 15) == D(2026, 3, 23)


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 3, 2), -1)


def test_working_days_between_counts_after_a_up_to_b():
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 25)) == 3
    assert calendar.working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert calendar.working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert calendar.working_days_between(D(2026, 3, 9), D(2026, 3, 2)) == 0


def test_extra_day_off_from_the_admin_is_honoured():
    CalendarException.objects.create(date=D(2026, 3, 9), kind=CalendarExceptionKind.DAY_OFF)
    assert not calendar.is_working_day(D(2026, 3, 9))
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)


def test_make_up_saturday_is_a_working_day():
    # Ngày làm bù: Saturday 22/08/2026 is worked in exchange for Monday 31/08.
    CalendarException.objects.create(date=D(2026, 8, 22), kind=CalendarExceptionKind.WORKING_DAY)
    assert calendar.is_working_day(D(2026, 8, 22))
    assert calendar.add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)
    assert calendar.working_days_between(D(2026, 8, 21), D(2026, 8, 24)) == 2


def test_exception_can_turn_a_statutory_holiday_into_a_working_day():
    CalendarException.objects.create(date=D(2026, 4, 30), kind=CalendarExceptionKind.WORKING_DAY)
    assert calendar.is_working_day(D(2026, 4, 30))


@pytest.mark.parametrize(
    ("received", "day0"),
    [
        (dt.datetime(2026, 3, 10, 16, 59, tzinfo=HCM), D(2026, 3, 10)),  # Tuesday before 17:00
        (dt.datetime(2026, 3, 10, 17, 0, tzinfo=HCM), D(2026, 3, 11)),  # after the cut-off
        (dt.datetime(2026, 3, 13, 18, 30, tzinfo=HCM), D(2026, 3, 16)),  # Friday evening → Monday
        (dt.datetime(2026, 3, 14, 9, 0, tzinfo=HCM), D(2026, 3, 16)),  # Saturday → Monday
        (dt.datetime(2026, 2, 17, 9, 0, tzinfo=HCM), D(2026, 2, 23)),  # during Tết
        # 23:30 in Hồ Chí Minh City is 16:30 UTC: the local day counts.
        (dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC), D(2026, 3, 11)),
    ],
)
def test_effective_receipt_date(received, day0):
    assert calendar.effective_receipt_date(received) == day0


def test_appointment_date_counts_from_the_next_working_day():
    # Received Friday 13/02/2026 at 10:00 with 3 working days: 23, 24, 25/02.
    assert calendar.appointment_date(dt.datetime(2026, 2, 13, 10, 0, tzinfo=HCM), 3) == D(2026, 2, 25)
    # Received after 17:00 the same Friday: day 0 is Monday 23/02.
    assert calendar.appointment_date(dt.datetime(2026, 2, 13, 17, 30, tzinfo=HCM), 3) == D(2026, 2, 26)


def test_long_span_widens_the_window():
    cal = calendar.WorkingCalendar(D(2026, 1, 1), D(2026, 1, 2))
    CalendarException.objects.create(date=D(2026, 6, 1), kind=CalendarExceptionKind.DAY_OFF)
    assert not cal.is_working_day(D(2026, 6, 1))


def test_holidays_are_cached_per_year():
    calendar.public_holidays.cache_clear()
    calendar.public_holidays(2026)
    calendar.public_holidays(2026)
    info = calendar.public_holidays.cache_info()
    assert info.hits >= 1 and info.misses == 1


# --- The officials' exceptions come from the shared cache ----------------------------------------


@pytest.fixture
def today_2026(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 2, 10, 0, tzinfo=HCM))


def test_exceptions_are_read_once_then_come_from_the_cache(today_2026, django_assert_num_queries):
    CalendarException.objects.create(date=D(2026, 3, 9), kind=CalendarExceptionKind.DAY_OFF)
    with django_assert_num_queries(1):
        assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
    with django_assert_num_queries(0):
        assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
        assert calendar.appointment_date(dt.datetime(2027, 1, 4, 9, 0, tzinfo=HCM), 3) == D(2027, 1, 7)


def _write(kind: str) -> None:
    day_off = CalendarExceptionKind.DAY_OFF
    if kind == "create":
        CalendarException.objects.create(date=D(2026, 3, 9), kind=day_off)
    elif kind == "bulk_create":
        CalendarException.objects.bulk_create([CalendarException(date=D(2026, 3, 9), kind=day_off)])
    elif kind == "save":
        row = CalendarException.objects.get()
        row.kind = day_off
        row.save()
    elif kind == "update":
        CalendarException.objects.update(kind=day_off)
    elif kind == "delete":
        CalendarException.objects.get().delete()
    elif kind == "queryset_delete":  # the admin's "delete selected"
        CalendarException.objects.all().delete()


@pytest.mark.parametrize(
    ("before", "write", "day0_plus_1"),
    [
        (None, "create", D(2026, 3, 10)),
        (None, "bulk_create", D(2026, 3, 10)),
        (CalendarExceptionKind.WORKING_DAY, "save", D(2026, 3, 10)),
        (CalendarExceptionKind.WORKING_DAY, "update", D(2026, 3, 10)),
        (CalendarExceptionKind.DAY_OFF, "delete", D(2026, 3, 9)),
        (CalendarExceptionKind.DAY_OFF, "queryset_delete", D(2026, 3, 9)),
    ],
)
def test_every_write_forgets_the_cached_exceptions(today_2026, before, write, day0_plus_1):
    if before:
        CalendarException.objects.bulk_create([CalendarException(date=D(2026, 3, 9), kind=before)])
    calendar.add_working_days(D(2026, 3, 6), 1)  # now cached
    _write(write)
    assert calendar.add_working_days(D(2026, 3, 6), 1) == day0_plus_1


def test_dates_far_from_today_are_read_from_the_database(today_2026):
    calendar.add_working_days(D(2026, 3, 6), 1)  # the cached years are 2025–2028
    CalendarException.objects.bulk_create([CalendarException(date=D(2040, 3, 5), kind=CalendarExceptionKind.DAY_OFF)])
    assert not calendar.is_working_day(D(2040, 3, 5))


def test_a_cache_outage_does_not_stop_the_count(today_2026, monkeypatch):
    CalendarException.objects.create(date=D(2026, 3, 9), kind=CalendarExceptionKind.DAY_OFF)
    from tests.conftest import unreachable_cache

    monkeypatch.setattr(calendar, "cache", unreachable_cache())
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 10)
