"""Hostile uploads: oversized, malformed, disguised. Refused with a Vietnamese message, or —
for polyglots whose content really is a PDF/JPEG — stored under a server-made name and served
back only as a download with a fixed content type and ``nosniff``.

Decision on polyglots: a file that starts with PDF (or JPEG) magic, has the matching extension
and (for PDF) a trailer is a PDF as far as any reader is concerned; extra HTML, JavaScript or PHP
inside it is inert because the portal never executes uploads, never serves them inline, never
lets the browser sniff them (``X-Content-Type-Options: nosniff``, ``Content-Disposition:
attachment``, ``Content-Type`` from the detected type) and never keeps the uploader's name on
disk. Refusing every file that contains "<script" would refuse genuine scans whose compressed
streams happen to contain those bytes.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import DossierPaper
from tests.applications.factories import PDF_BYTES, DossierFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(client, citizen):
    dossier = DossierFactory(citizen=citizen)
    document = RequiredDocumentFactory(procedure=dossier.procedure)
    client.force_login(citizen)
    url = reverse("applications:paper_upload", args=[dossier.public_id, document.pk])

    def post(name: str, content: bytes, content_type: str = "application/pdf"):
        return client.post(url, {"file": SimpleUploadedFile(name, content, content_type=content_type)})

    post.dossier = dossier
    return post


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

REFUSED = [
    ("zip bomb renamed .pdf", "ho-so.pdf", _zip_bomb(), "không phải tài liệu PDF, JPEG hoặc PNG"),
    ("svg with script renamed .png", "anh.png", SVG, "không phải tài liệu PDF, JPEG hoặc PNG"),
    ("html renamed .pdf", "a.pdf", b"<html><script>alert(1)</script></html>", "không phải tài liệu PDF"),
    ("truncated pdf", "cat-ngang.pdf", b"%PDF-1.7\n1 0 obj<</Type/Catalog", "bị hỏng hoặc không đầy đủ"),
    ("pdf header only", "rong.pdf", b"%PDF-", "bị hỏng hoặc không đầy đủ"),
    ("png named .pdf", "anh.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "nhưng nội dung là PNG"),
    ("php named .jpg", "shell.jpg", b"<?php system($_GET['c']); ?>", "không phải tài liệu PDF, JPEG hoặc PNG"),
    ("pdf named .php", "shell.php", PDF_BYTES, "nhưng nội dung là PDF"),
    ("empty", "rong.pdf", b"", "rỗng"),
]


@pytest.mark.parametrize(("label", "name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_disguised_and_malformed_files_are_refused_in_vietnamese(upload, label, name, content, message):
    response = upload(name, content)
    assert response.status_code == 400, label
    assert message in response.content.decode(), label
    assert not DossierPaper.objects.exists()


def test_oversized_file_is_refused_before_it_is_stored(upload, settings):
    settings.DOSSIER_MAX_UPLOAD_BYTES = 1024
    response = upload("lon.pdf", PDF_BYTES + b"\0" * 4096 + b"%%EOF")
    assert response.status_code in (400, 413)
    assert "quá lớn" in response.content.decode()
    assert not DossierPaper.objects.exists()


def test_request_announcing_a_huge_body_is_refused_without_reading_it(upload, settings):
    settings.DOSSIER_MAX_UPLOAD_BYTES = 1024
    response = upload("lon.pdf", PDF_BYTES + b"\0" * (200 * 1024))
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()
    assert not DossierPaper.objects.exists()


POLYGLOTS = [
    (
        "pdf+html",
        "da-ky.pdf",
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
        "application/pdf",
    ),
    ("jpeg+php", "anh.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 16 + b"<?php system($_GET['c']); ?>", "image/jpeg"),
]


@pytest.mark.parametrize(("label", "name", "content", "content_type"), POLYGLOTS, ids=[p[0] for p in POLYGLOTS])
def test_polyglots_are_kept_inert(client, upload, label, name, content, content_type):
    response = upload(name, content, content_type="text/html")
    assert response.status_code == 302, label
    paper = DossierPaper.objects.get()
    stored = paper.file.name.rsplit("/", 1)[-1]
    assert stored != name and len(stored.split(".")[0]) == 32
    assert paper.content_type == content_type  # detected, not the browser's "text/html"
    download = client.get(reverse("applications:paper_download", args=[upload.dossier.public_id, paper.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in download["Content-Security-Policy"]
