from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.uploads import check_upload, sanitize_filename
from tests.applications.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("don.pdf", PDF_BYTES, "application/pdf", "pdf"),
        ("ANH.JPG", JPEG_BYTES, "image/jpeg", "jpg"),
        ("anh.jpeg", JPEG_BYTES, "image/jpeg", "jpg"),
        ("scan.png", PNG_BYTES, "image/png", "png"),
    ],
)
def test_accepted_types_are_detected_from_content(name, content, content_type, extension):
    checked = check_upload(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert (checked.content_type, checked.extension, checked.size) == (content_type, extension, len(content))
    assert len(checked.sha256) == 64
    assert checked.server_name().endswith("." + extension)
    assert name.rsplit(".", 1)[0].lower() not in checked.server_name()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("giay-to.pdf", EXE, "type"),  # a renamed executable
        ("setup.exe", EXE, "type"),
        ("ho-so.pdf", ZIP, "type"),  # a ZIP called .pdf
        ("anh.png", PDF_BYTES, "mismatch"),  # content and extension disagree
        ("tai-lieu", PDF_BYTES, "mismatch"),
        ("trong.pdf", b"", "empty"),
    ],
)
def test_refused_files(name, content, code):
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert info.value.code == code
    assert info.value.messages[0]


def test_size_limit_comes_from_settings(settings):
    settings.DOSSIER_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("lon.pdf", PDF_BYTES + b"0" * 200))
    assert info.value.code == "too_large"


def test_messages_are_vietnamese():
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as info:
        check_upload(SimpleUploadedFile("x.pdf", EXE))
    assert "PDF" in info.value.messages[0] and "tệp" in info.value.messages[0].lower()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\an\\Giấy tờ.pdf", "Giấy tờ.pdf"),
        ('a"b;c\r\n.pdf', "abc.pdf"),
        ("", "tep"),
        ("x" * 300 + ".pdf", "x" * 137 + ".pdf"),
    ],
)
def test_sanitize_filename(raw, clean):
    assert sanitize_filename(raw) == clean
