"""The working-day calendar used for appointment dates (ngày hẹn trả kết quả).

Rules:

- Saturdays, Sundays and Vietnamese public holidays (from the ``holidays`` package, country
  "VN", which computes the lunar dates of Tết and the Hùng Kings' day) are days off.
- Officials add the year's decisions in the admin as ``CalendarException`` rows: an extra
  day off (a bridge day announced by the government) or a make-up working day (ngày làm bù,
  usually a Saturday). An exception always wins over the weekly rule and the holiday list.
- A deadline of *n* working days counts from the next working day after receipt: the day
  of receipt is day 0. A dossier received after 17:00 local time, or on a day off, is
  treated as received on the next working day (the one-stop offices close their books at
  17:00), so it too is day 0 of that next working day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache, partial

import holidays
from django.core.cache import cache
from django.utils import timezone

CUT_OFF_HOUR = 17
# "Due soon" in the officials' queue and changelist: the appointment within this many working days.
DUE_SOON_WORKING_DAYS = 2
# A deadline never spans more than this many calendar days per working day (Tết plus weekends).
_SPAN_PER_DAY = 3
_SPAN_MARGIN = 40


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """The statutory holidays of one year; static data, so a per-process cache is safe."""
    return frozenset(holidays.country_holidays("VN", years=year).keys())


# The officials' exceptions of the years around today, in the shared cache: every submission
# counts its appointment date with them, and they change a few times a year (through the
# admin, which forgets the entry on every write: see applications.models.CalendarException).
EXCEPTIONS_CACHE_KEY = "applications:calendar-exceptions:v1"
# A backstop for writes that bypass the model (raw SQL): the entry is rebuilt this often anyway.
EXCEPTIONS_CACHE_SECONDS = 3600


def _query_exceptions(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    from applications.constants import CalendarExceptionKind
    from applications.models import CalendarException

    rows = CalendarException.objects.filter(date__range=(first, last)).order_by().values_list("date", "kind")
    return {day: kind == CalendarExceptionKind.WORKING_DAY for day, kind in rows}


def _cached_exceptions() -> tuple[dt.date, dt.date, dict[dt.date, bool]]:
    # Redis down: a miss, then the database (portal.cache.SoftFailRedisCache).
    entry = cache.get(EXCEPTIONS_CACHE_KEY)
    if entry is None:
        year = timezone.localdate().year
        first, last = dt.date(year - 1, 1, 1), dt.date(year + 2, 12, 31)
        entry = (first, last, _query_exceptions(first, last))
        cache.set(EXCEPTIONS_CACHE_KEY, entry, EXCEPTIONS_CACHE_SECONDS)
    return entry


def _exceptions(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    """Date → is a working day, for the officials' exceptions in [first, last]."""
    cached_first, cached_last, exceptions = _cached_exceptions()
    if not (cached_first <= first and last <= cached_last):
        return _query_exceptions(first, last)  # far from today: rare, not worth caching
    return {day: working for day, working in exceptions.items() if first <= day <= last}


def forget_exceptions() -> None:
    """Drop the cached exceptions now and again after the writing transaction commits (a
    request in another process may cache the old rows in between)."""
    from django.db import transaction

    cache.delete(EXCEPTIONS_CACHE_KEY)
    transaction.on_commit(partial(cache.delete, EXCEPTIONS_CACHE_KEY))


class WorkingCalendar:
    """The calendar for a window of dates: one query for the exceptions of the window."""

    def __init__(self, first: dt.date, last: dt.date, exceptions: dict[dt.date, bool] | None = None):
        self.first = first
        self.last = last
        self.exceptions = _exceptions(first, last) if exceptions is None else exceptions

    @classmethod
    def around(cls, start: dt.date, days: int) -> WorkingCalendar:
        return cls(start - dt.timedelta(days=1), start + dt.timedelta(days=days * _SPAN_PER_DAY + _SPAN_MARGIN))

    def _ensure(self, day: dt.date) -> None:
        if not (self.first <= day <= self.last):
            # Outside the loaded window: widen it (rare; long deadlines or long pauses).
            self.first, self.last = min(self.first, day), max(self.last, day + dt.timedelta(days=_SPAN_MARGIN))
            self.exceptions = _exceptions(self.first, self.last)

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day)
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5 and day not in public_holidays(day.year)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must be zero or more")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d <= b (0 when b <= a)."""
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def effective_receipt_date(self, received_at: dt.datetime) -> dt.date:
        local = timezone.localtime(received_at) if timezone.is_aware(received_at) else received_at
        day = local.date()
        if not self.is_working_day(day) or local.hour >= CUT_OFF_HOUR:
            return self.next_working_day(day)
        return day


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself is day 0 and not counted)."""
    return WorkingCalendar.around(start, n).add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """How many working days lie after ``a`` up to and including ``b``."""
    return WorkingCalendar(a, max(a, b)).working_days_between(a, b)


def effective_receipt_date(received_at: dt.datetime) -> dt.date:
    """Day 0 of the count: the receipt day, or the next working day after 17:00 or a day off."""
    day = timezone.localtime(received_at).date() if timezone.is_aware(received_at) else received_at.date()
    return WorkingCalendar.around(day, 1).effective_receipt_date(received_at)


def appointment_date(received_at: dt.datetime, working_days: int) -> dt.date:
    """The date the result is due: ``working_days`` after day 0 of the count."""
    start = timezone.localtime(received_at).date() if timezone.is_aware(received_at) else received_at.date()
    calendar = WorkingCalendar.around(start, working_days)
    return calendar.add_working_days(calendar.effective_receipt_date(received_at), working_days)


def due_soon_limit(today: dt.date) -> dt.date:
    """The last appointment date that counts as "due soon" today."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS)
