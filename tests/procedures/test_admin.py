from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procedures.models import Procedure
from procedures.selectors import procedure_search
from tests.procedures.catalogue_factories import FeeFactory, ProcedureFactory, SectorFactory
from tests.procedures.sample_catalogue import catalogue_fixture  # noqa: F401 - the "catalogue" fixture

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:procedures_procedure_changelist")
INLINE_PREFIXES = ["channels", "fees", "steps", "documents", "results", "legal_bases", "aliases"]


@pytest.fixture
def operator(admin_client):
    return admin_client


def test_changelist_searches_without_diacritics(operator, catalogue):
    response = operator.get(CHANGELIST, {"q": "dang ky ho kinh doanh"})
    assert response.status_code == 200
    codes = {p.code for p in response.context["cl"].result_list}
    assert catalogue.household_business.code in codes
    assert catalogue.marriage.code not in codes


def test_changelist_filters(operator, catalogue):
    response = operator.get(CHANGELIST, {"sector__id__exact": catalogue.birth.sector_id, "online_level__exact": "full"})
    assert [p.code for p in response.context["cl"].result_list] == [catalogue.birth.code]


@pytest.mark.parametrize("count", [2, 30])
def test_changelist_query_count_does_not_grow(operator, db, django_assert_max_num_queries, count):
    sector = SectorFactory()
    for _ in range(count):
        ProcedureFactory(sector=sector)
    with django_assert_max_num_queries(16):
        assert operator.get(CHANGELIST).status_code == 200


def test_change_page_shows_every_inline(operator, catalogue):
    FeeFactory(procedure=catalogue.birth)
    response = operator.get(reverse("admin:procedures_procedure_change", args=[catalogue.birth.pk]))
    assert response.status_code == 200
    prefixes = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert prefixes == set(INLINE_PREFIXES)


def test_adding_a_procedure_with_an_alias_makes_the_alias_searchable(operator, catalogue):
    data = {
        "code": "3.000111",
        "name": "Cấp giấy phép bán lẻ rượu",
        "online_level": "information",
        "popularity": "0",
        "is_active": "on",
        "keywords": "",
        "aliases-0-phrase": "xin giấy phép bán rượu bia",
    }
    for prefix in INLINE_PREFIXES:
        data[f"{prefix}-TOTAL_FORMS"] = "1" if prefix == "aliases" else "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = operator.post(reverse("admin:procedures_procedure_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert [p.code for p in procedure_search(query="ban ruou bia")] == ["3.000111"]


def test_import_and_export_pages_need_staff(client, catalogue):
    for name in ["admin:procedures_procedure_import", "admin:procedures_procedure_export"]:
        # The back office does not reveal itself to anyone who is not staff.
        assert client.get(reverse(name)).status_code == 404


def test_export_downloads_the_catalogue(operator, catalogue):
    response = operator.post(reverse("admin:procedures_procedure_export"), {"fmt": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert catalogue.household_business.code in response.content.decode()


def test_import_dry_run_reports_and_changes_nothing(operator, catalogue):
    exported = operator.post(reverse("admin:procedures_procedure_export"), {"fmt": "json"}).content
    document = json.loads(exported)
    before = Procedure.objects.count()
    upload = SimpleUploadedFile("catalogue.json", json.dumps(document).encode(), content_type="application/json")
    response = operator.post(
        reverse("admin:procedures_procedure_import"), {"file": upload, "fmt": "json", "dry_run": "on"}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run and report.counts["rejected"] == 0
    assert Procedure.objects.count() == before


def test_import_of_a_malformed_file_is_refused(operator, catalogue):
    upload = SimpleUploadedFile("catalogue.json", b"{not json", content_type="application/json")
    response = operator.post(reverse("admin:procedures_procedure_import"), {"file": upload, "fmt": "json"})
    assert response.status_code == 200
    assert response.context["form"].errors or not response.context["report"].ok
