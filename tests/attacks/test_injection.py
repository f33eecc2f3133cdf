"""SQL and path injection: search, filters, uploads and imports refuse cleanly (never a 500),
and files land under names the server made, inside MEDIA_ROOT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import DossierPaper
from procedures.models import Procedure
from tests.applications.factories import PDF_BYTES, DossierFactory, ProcedureFactory, RequiredDocumentFactory
from tests.procedures.catalogue_samples import portal_document, portal_procedure

pytestmark = pytest.mark.django_db

QUERIES = [
    "' OR 1=1 --",
    "'; DROP TABLE procedures_procedure; --",
    "%",
    "_",
    "\\",
    "%%__\\\\",
    "a" * 5000,
    "khai\x00sinh",
    "\x00",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "１=１",
]


@pytest.fixture
def catalogue(db):
    return [ProcedureFactory(name="Đăng ký khai sinh"), ProcedureFactory(name="Cấp căn cước")]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_search_never_fails_and_never_matches_everything(client, catalogue, query):
    for url in (reverse("procedures:list"), reverse("api:procedures"), reverse("applications:start")):
        try:
            response = client.get(url, {"q": query})
        except UnicodeEncodeError:
            # The test client cannot even encode it; a real client would send invalid UTF-8.
            response = client.get(url + "?q=%ED%A0%80")
        assert response.status_code in (200, 400), (url, response.status_code)


def test_an_injected_condition_does_not_widen_a_search(client, catalogue):
    """ "khai sinh" finds one procedure; appending SQL must not make it find the other one."""
    for query in ("khai sinh' OR 1=1 --", 'khai sinh" OR "1"="1', "khai sinh%", "khai sinh') OR ('a'='a"):
        data = json.loads(client.get(reverse("api:procedures"), {"q": query}).content)
        names = [item["name"] for item in data["results"]]
        assert "Cấp căn cước" not in names, (query, names)


@pytest.mark.parametrize(
    "params",
    [
        {"level": "' OR 1=1"},
        {"sector": "999999"},
        {"sector": "abc"},
        {"agency": "-1"},
        {"agency": "1; DROP TABLE x"},
        {"online": "maybe"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"limit": "x"},
        {"offset": "-5"},
        {"unknown": "1"},
    ],
)
def test_filters_with_odd_values_are_refused_or_ignored(client, catalogue, params):
    for url in (reverse("procedures:list"), reverse("api:procedures"), reverse("applications:start")):
        response = client.get(url, params)
        assert response.status_code in (200, 400), (url, params, response.status_code)
    api = client.get(reverse("api:procedures"), params)
    if api.status_code == 400:
        assert "error" in json.loads(api.content) or json.loads(api.content)


def test_statistics_with_odd_month_is_not_an_error(client):
    for params in ({"month": "13", "year": "2026"}, {"month": "x"}, {"year": "-1"}, {"format": "../../x"}):
        assert client.get(reverse("applications:statistics"), params).status_code in (200, 400)


def test_unknown_codes_in_urls_are_404(client):
    for code in ("' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "%00"):
        expected = 400 if code == "%00" else 404
        assert client.get(f"/thu-tuc/{code}/").status_code == expected
        assert client.get(f"/api/v1/procedures/{code}/").status_code == expected


UPLOAD_NAMES = [
    "../../etc/passwd.pdf",
    "..\\..\\x.pdf",
    "/etc/passwd.pdf",
    "a\x00.pdf",
    "line\nbreak.pdf",
    "<script>.pdf",
    "CON.pdf",
    ".pdf",
]


@pytest.mark.parametrize("name", UPLOAD_NAMES, ids=range(len(UPLOAD_NAMES)))
def test_upload_names_never_choose_the_stored_path(client, citizen, settings, name):
    dossier = DossierFactory(citizen=citizen)
    document = RequiredDocumentFactory(procedure=dossier.procedure)
    client.force_login(citizen)
    upload = SimpleUploadedFile("placeholder.pdf", PDF_BYTES, content_type="application/pdf")
    upload.name = name  # set after construction: SimpleUploadedFile would strip the path itself
    response = client.post(
        reverse("applications:paper_upload", args=[dossier.public_id, document.pk]), {"file": upload}
    )
    assert response.status_code in (302, 400), response.status_code
    media = Path(settings.MEDIA_ROOT).resolve()
    for paper in DossierPaper.objects.filter(dossier=dossier):
        stored = Path(paper.file.path).resolve()
        assert stored.is_relative_to(media)
        assert stored.name.removesuffix(".pdf").isalnum() and len(stored.stem) == 32
        assert "/" not in paper.original_name and "\\" not in paper.original_name
        assert "\x00" not in paper.original_name and "\n" not in paper.original_name
        download = client.get(reverse("applications:paper_download", args=[dossier.public_id, paper.pk]))
        disposition = download["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "/" not in disposition and "\n" not in disposition and ".." not in disposition.replace('..pdf"', "")
    # Nothing was written outside MEDIA_ROOT.
    assert not (media.parent / "etc").exists() and not (media.parent / "x.pdf").exists()


@pytest.mark.parametrize("code", ["../../etc/passwd", "' OR 1=1 --", "a\x00b", "x" * 500, "<script>", ""])
def test_import_rows_with_hostile_codes_are_refused_cleanly(tmp_path, code):
    from procedures.services import CatalogueImportError, catalogue_import

    path = tmp_path / "c.json"
    path.write_text(portal_document(portal_procedure(code)), encoding="utf-8")
    try:
        report = catalogue_import(file=path, fmt="json")
    except CatalogueImportError:
        report = None
    if report is not None and report.ok:
        # Accepted as an opaque code: it must round-trip exactly, and the URL must quote it.
        procedure = Procedure.objects.get(code=code)
        assert procedure.code == code
    else:
        assert not Procedure.objects.exists()
    if "\x00" in code:
        assert report is not None and not report.ok and "a NUL character in the row" in report.rows[0].reasons


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/procedures/?sector=%00",
        "/api/v1/procedures/?agency=a%00b",
        "/api/v1/procedures/%00/",
        "/thu-tuc/%00/",
        "/thu-tuc/?q=a%00",
        "/payments/giao-dich/PAY%00/",
        "/nhan-qua-buu-dien/?tinh=%00",
    ],
)
def test_nul_characters_in_paths_and_query_strings_are_400(client, citizen, url):
    """PostgreSQL text cannot hold NUL: before the fix these reached a query and were a 500."""
    client.force_login(citizen)
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        assert json.loads(response.content)["error"]["code"] == "invalid_parameter"
