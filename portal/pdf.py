"""PDF documents rendered from Django templates with WeasyPrint (receipts, reports).

Templates declare their fonts in CSS ("Liberation Serif", "DejaVu Sans": both Debian
packages, see the Makefile's DEB_PACKAGES) so Vietnamese diacritics are embedded correctly.
WeasyPrint is imported on first use: the import alone takes about a second.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    # base_url lets templates reference static files by relative path; no network is used.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
