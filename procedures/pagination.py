"""Pages without a total count: one row more than a page says whether a next page exists.

Counting every match of a common word ("cấp" is in a third of all names) costs as much as
ranking them, for a number few citizens read; the API still returns the count."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

MAX_PAGE = 500


@dataclass
class LookaheadPage:
    number: int
    object_list: list
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def is_complete(self) -> bool:
        """All the matches are on this one page, so their number is known."""
        return self.number == 1 and not self.has_next


def page_number(value: str | int | None) -> int:
    """A page number from the query string: 1 when missing or malformed, at most MAX_PAGE."""
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def lookahead_page(queryset: QuerySet, number: int, *, per_page: int) -> LookaheadPage:
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return LookaheadPage(number=number, object_list=rows[:per_page], has_next=len(rows) > per_page)
