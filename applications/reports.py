"""Monthly figures per agency, as Vietnamese portals publish them, and their Excel export.

A dossier counts in the month it was first submitted and for the agency that holds it (one
agency per dossier, so a dossier handed between agencies is counted once). "Finished" means
the result was issued (processed); on time when that day is not after the appointment date.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.constants import DossierState, Rating
from applications.models import Dossier

S = DossierState
COLUMNS = (
    "received",
    "finished_on_time",
    "finished_late",
    "in_progress",
    "overdue",
    "rejected",
    "withdrawn",
    "rated_satisfied",
    "rated_normal",
    "rated_unsatisfied",
)


@dataclass
class AgencyMonth:
    agency_code: str
    agency_name: str
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        finished = self.figures["finished_on_time"] + self.figures["finished_late"]
        return round(100 * self.figures["finished_on_time"] / finished, 1) if finished else None

    def values(self) -> list[int]:
        return [self.figures[c] for c in COLUMNS]


def column_labels() -> list[str]:
    return [
        _("Received"),
        _("Finished on time"),
        _("Finished late"),
        _("In progress"),
        _("Overdue"),
        _("Rejected"),
        _("Withdrawn"),
        _("Satisfied"),
        _("Normal"),
        _("Not satisfied"),
    ]


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    days = pycalendar.monthrange(year, month)[1]
    return start, start + dt.timedelta(days=days)


def monthly_statistics(
    *, year: int, month: int, agency_id: int | None = None, today: dt.date | None = None
) -> list[AgencyMonth]:
    """One row per agency with dossiers received in the month; one query."""
    today = today or timezone.localdate()
    start, end = month_bounds(year, month)
    qs = Dossier.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    processed_day = TruncDate("processed_at")
    finished = Q(processed_at__isnull=False)
    running = Q(state__in=[S.SUBMITTED, S.VALIDATED])
    rows = (
        qs.values("agency__code", "agency__name")
        .annotate(
            received=Count("id"),
            finished_on_time=Count("id", filter=finished & Q(appointment_date__gte=processed_day)),
            finished_late=Count("id", filter=finished & Q(appointment_date__lt=processed_day)),
            in_progress=Count(
                "id",
                filter=Q(state=S.NEEDS_SUPPLEMENT) | (running & Q(appointment_date__gte=today)),
            ),
            overdue=Count("id", filter=running & Q(appointment_date__lt=today)),
            rejected=Count("id", filter=Q(state=S.REJECTED)),
            withdrawn=Count("id", filter=Q(state=S.WITHDRAWN)),
            rated_satisfied=Count("id", filter=Q(rating=Rating.SATISFIED)),
            rated_normal=Count("id", filter=Q(rating=Rating.NORMAL)),
            rated_unsatisfied=Count("id", filter=Q(rating=Rating.UNSATISFIED)),
        )
        .order_by("agency__name")
    )
    return [
        AgencyMonth(agency_code=r["agency__code"], agency_name=r["agency__name"], figures={c: r[c] for c in COLUMNS})
        for r in rows
    ]


def totals(rows: list[AgencyMonth]) -> AgencyMonth:
    return AgencyMonth(
        agency_code="",
        agency_name=_("Total"),
        figures={c: sum(r.figures[c] for r in rows) for c in COLUMNS},
    )


def statistics_workbook(*, rows: list[AgencyMonth], year: int, month: int, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}-{month:02d}"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Month %(month)02d/%(year)s") % {"month": month, "year": year}])
    sheet.append([])
    header = [_("Agency code"), _("Agency"), *column_labels(), _("On time (%)")]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in [*rows, totals(rows)]:
        sheet.append([row.agency_code, row.agency_name, *row.values(), row.on_time_rate])
    sheet.column_dimensions["B"].width = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
