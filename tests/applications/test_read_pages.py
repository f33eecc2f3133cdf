"""The read pages `make bench` measures, beyond what test_views and test_admin check: the
public lookup, the citizen's list and the officials' queue do a bounded, small amount of
work and still show everything they did."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from applications import admin as dossier_admin
from applications.constants import DossierState
from tests.applications.factories import (
    FACTORY_BY_STATE,
    DossierFactory,
    ProcessedDossierFactory,
    SubmittedDossierFactory,
    WithdrawnDossierFactory,
)
from tests.conftest import login_official

pytestmark = pytest.mark.django_db
S = DossierState
LOOKUP_URL = reverse("applications:lookup")
QUEUE_URL = reverse("admin:applications_dossier_changelist")


def _input_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


# --- Public lookup ---------------------------------------------------------------------------------


def test_lookup_hit_answers_with_an_empty_form_in_two_queries(client, django_assert_max_num_queries):
    dossier = SubmittedDossierFactory(lookup_pin="246810")
    with django_assert_max_num_queries(1):  # the dossier; no parcel can exist before processing
        response = client.post(LOOKUP_URL, {"code": dossier.code, "secret": "246810"})
    html = response.content.decode()
    assert response.status_code == 200 and dossier.code in html
    # The PIN is not written back into the page, and the form is ready for another lookup.
    assert "246810" not in html
    assert _input_value(html, "code") is None and _input_value(html, "secret") is None


def test_lookup_refusal_keeps_what_was_typed_and_says_why(client):
    dossier = SubmittedDossierFactory(lookup_pin="246810")
    response = client.post(LOOKUP_URL, {"code": dossier.code, "secret": "000000"})
    html = response.content.decode()
    assert response.status_code == 404
    assert _input_value(html, "code") == dossier.code
    assert 'role="alert"' in html


def test_lookup_of_a_processed_dossier_still_asks_for_its_parcel(client, django_assert_num_queries):
    dossier = ProcessedDossierFactory(lookup_pin="246810")
    with django_assert_num_queries(2):
        assert client.post(LOOKUP_URL, {"code": dossier.code, "secret": "246810"}).status_code == 200


# --- My dossiers -----------------------------------------------------------------------------------


def test_my_dossiers_pages_without_counting(client, citizen, django_assert_max_num_queries):
    first = SubmittedDossierFactory(citizen=citizen, procedure__name="Thủ tục nộp đầu tiên")
    for _ in range(20):
        SubmittedDossierFactory(citizen=citizen, procedure=first.procedure)
    WithdrawnDossierFactory(citizen=citizen, code=None)  # a withdrawn draft: not listed
    DossierFactory(citizen=citizen)  # a draft: listed, to be finished
    SubmittedDossierFactory()  # someone else's
    client.force_login(citizen)
    url = reverse("applications:my_dossiers")
    with django_assert_max_num_queries(5):  # session user, one page of rows (+ session upkeep)
        html = client.get(url).content.decode()
    assert html.count('class="card"') == 20 and "page=2" in html
    assert reverse("applications:applicant", args=[citizen.dossiers.get(state=S.DRAFT).public_id]) in html
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="card"') == 2 and "page=1" in second and "page=3" not in second
    assert first.code in second and first.get_absolute_url() in second


def test_my_dossiers_rows_show_status_date_and_next_step(client, citizen):
    for state in (S.SUBMITTED, S.NEEDS_SUPPLEMENT, S.REJECTED):
        FACTORY_BY_STATE[state](citizen=citizen)
    client.force_login(citizen)
    html = client.get(reverse("applications:my_dossiers")).content.decode()
    assert "Chờ bổ sung hồ sơ" in html and "badge-warn" in html and "badge-err" in html
    assert "Ngày hẹn trả kết quả:" in html and "Việc tiếp theo:" in html


# --- Officials' queue ------------------------------------------------------------------------------


@pytest.fixture
def desk(client, official):
    login_official(client, official.user)
    return client


def test_queue_has_a_received_date_filter_and_no_date_hierarchy(desk, official):
    SubmittedDossierFactory(agency=official.agency)
    html = desk.get(QUEUE_URL).content.decode()
    assert "received_at__gte" in html  # the date filter's choices
    assert 'class="xfull"' not in html and "date-hierarchy" not in html


def test_queue_count_stops_at_its_cap(desk, official, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(dossier_admin.QueuePaginator, "cap", 3)
    mine = [SubmittedDossierFactory(agency=official.agency) for _ in range(5)]
    other = SubmittedDossierFactory()
    with django_assert_max_num_queries(12):
        html = desk.get(QUEUE_URL).content.decode()
    assert "hơn 3 hồ sơ" in html
    assert all(d.code in html for d in mine) and other.code not in html
    monkeypatch.setattr(dossier_admin.QueuePaginator, "cap", 10)
    html = desk.get(QUEUE_URL).content.decode()
    assert "hơn" not in html and re.search(r"5\s+hồ sơ", html)
