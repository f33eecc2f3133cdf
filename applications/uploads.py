"""Checks on uploaded papers: the type is read from the content, not trusted from the name.

Accepted: PDF, JPEG and PNG, whose extension must agree with the content (a renamed
executable or a ZIP called ``.pdf`` is refused). The size limit comes from
``settings.DOSSIER_MAX_UPLOAD_BYTES`` (10 MB by default); views also refuse a request whose
Content-Length is already over it, before the body is read.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# content type → (magic prefix, extensions allowed for it)
ACCEPTED = {
    "application/pdf": (b"%PDF-", {"pdf"}),
    "image/jpeg": (b"\xff\xd8\xff", {"jpg", "jpeg"}),
    "image/png": (b"\x89PNG\r\n\x1a\n", {"png"}),
}
CANONICAL_EXTENSION = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str

    def server_name(self) -> str:
        """A name nobody can guess or choose: the original name is kept only in the database."""
        return f"{secrets.token_hex(16)}.{self.extension}"


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def too_large_message() -> str:
    return _("The file is too large: the limit is %(limit)s.") % {"limit": filesizeformat(max_upload_bytes())}


def sanitize_filename(name: str, *, default: str = "tep") -> str:
    """A file name safe to show and to send back: no path, no control or shell characters."""
    name = unicodedata.normalize("NFC", PurePath((name or "").replace("\\", "/")).name)
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|;]", "", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name:
        return default
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 5:
        return stem[: 140 - len(ext)] + "." + ext
    return name[:145]


def detect_content_type(head: bytes) -> str | None:
    for content_type, (magic, _exts) in ACCEPTED.items():
        if head.startswith(magic):
            return content_type
    return None


def _pdf_has_trailer(uploaded, size: int) -> bool:
    """A complete PDF ends with ``%%EOF`` within its last 1024 bytes (the tolerance PDF readers
    allow): a truncated download or a file that merely starts with "%PDF-" has none."""
    uploaded.seek(max(0, size - 1024))
    tail = uploaded.read(1024)
    uploaded.seek(0)
    return b"%%EOF" in tail


def check_upload(uploaded) -> CheckedUpload:
    """Validate an uploaded file (Django ``UploadedFile`` or ``File``); raise ValidationError."""
    size = uploaded.size
    if size is None or size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_upload_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    original = sanitize_filename(getattr(uploaded, "name", "") or "")
    extension = original.rpartition(".")[2].lower() if "." in original else ""
    uploaded.seek(0)
    head = uploaded.read(16)
    content_type = detect_content_type(head)
    if content_type is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG document. Scan or photograph the paper and upload that file."),
            code="type",
        )
    if extension not in ACCEPTED[content_type][1]:
        raise ValidationError(
            _("The file name ends in “.%(extension)s” but the file is a %(kind)s: rename it or choose another file.")
            % {"extension": extension or "?", "kind": CANONICAL_EXTENSION[content_type].upper()},
            code="mismatch",
        )
    if content_type == "application/pdf" and not _pdf_has_trailer(uploaded, size):
        raise ValidationError(
            _("This PDF file is damaged or incomplete. Save or scan it again and upload the new file."),
            code="malformed",
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(65536), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        content_type=content_type,
        extension=CANONICAL_EXTENSION[content_type],
        size=size,
        sha256=digest.hexdigest(),
        original_name=original,
    )


def request_too_large(request) -> bool:
    """True when the request body is announced larger than one file may be (refuse before reading)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    # Some room for the other form fields and the multipart boundaries.
    return length > max_upload_bytes() + 64 * 1024
