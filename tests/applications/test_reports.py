from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.constants import DossierState
from applications.reports import monthly_statistics
from tests.applications.factories import FACTORY_BY_STATE, AgencyFactory, OfficialFactory
from tests.conftest import login_official

pytestmark = pytest.mark.django_db
S = DossierState
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM)


def make(state, agency, *, submitted=MARCH, appointment=dt.date(2026, 3, 5), processed=None, rating=""):
    extra = {"processed_at": processed} if processed is not None else {}
    return FACTORY_BY_STATE[state](
        agency=agency, submitted_at=submitted, appointment_date=appointment, rating=rating, **extra
    )


@pytest.fixture
def figures():
    a = AgencyFactory(name="UBND phường A")
    b = AgencyFactory(name="UBND phường B")
    make(S.DELIVERED, a, processed=dt.datetime(2026, 3, 4, 10, 0, tzinfo=HCM), rating="satisfied")
    make(S.PROCESSED, a, processed=dt.datetime(2026, 3, 9, 10, 0, tzinfo=HCM))  # late
    make(S.SUBMITTED, a)  # overdue on 10/03
    make(S.VALIDATED, a, appointment=dt.date(2026, 3, 20))  # in progress
    make(S.NEEDS_SUPPLEMENT, a)  # clock stopped: in progress
    make(S.REJECTED, b)
    make(S.SUBMITTED, b, submitted=dt.datetime(2026, 2, 27, 9, 0, tzinfo=HCM))  # February
    FACTORY_BY_STATE[S.DRAFT](agency=a)  # drafts never count
    return a, b


def test_monthly_statistics_per_agency(figures, django_assert_num_queries):
    a, b = figures
    with django_assert_num_queries(1):
        rows = monthly_statistics(year=2026, month=3, today=dt.date(2026, 3, 10))
    by_agency = {r.agency_name: r.figures for r in rows}
    assert by_agency["UBND phường A"] == {
        "received": 5,
        "finished_on_time": 1,
        "finished_late": 1,
        "in_progress": 2,
        "overdue": 1,
        "rejected": 0,
        "withdrawn": 0,
        "rated_satisfied": 1,
        "rated_normal": 0,
        "rated_unsatisfied": 0,
    }
    assert by_agency["UBND phường B"]["received"] == 1
    assert by_agency["UBND phường B"]["rejected"] == 1
    assert monthly_statistics(year=2026, month=2)[0].figures["received"] == 1


def test_public_page_and_xlsx_export(client, figures):
    response = client.get(reverse("applications:statistics"), {"month": 3, "year": 2026})
    assert response.status_code == 200
    assert "UBND phường A" in response.content.decode()
    response = client.get(reverse("applications:statistics"), {"month": 3, "year": 2026, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    agency_rows = [r for r in values if r and r[1] in ("UBND phường A", "UBND phường B")]
    assert [r[2] for r in agency_rows] == [5, 1]
    assert values[-1][2] == 6  # the total


def test_officials_statistics_show_only_their_agency(client, figures):
    a, b = figures
    official = OfficialFactory(agency=b)
    login_official(client, official.user)
    response = client.get(reverse("admin:applications_dossier_statistics"), {"month": 3, "year": 2026})
    assert response.status_code == 200
    body = response.content.decode()
    assert "UBND phường B" in body and "UBND phường A" not in body
