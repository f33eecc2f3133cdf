"""Papers made in the test: a one-page PDF, a small PNG, and a program renamed to .pdf."""

from __future__ import annotations

import io


def pdf_bytes(text: str = "Giấy đề nghị") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 220, 240)).save(out, format="PNG")
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows program (MZ header), to be uploaded as "giay-to.pdf"."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240


def upload(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def upload_paper(page, slot_id: str, file: dict) -> None:
    """Choose the file in one paper's card and press its upload button (a full page load)."""
    card = page.locator(f"#{slot_id}")
    card.locator("input[type=file]").set_input_files(file)
    with page.expect_navigation():
        card.locator("form[enctype] button[type=submit]").click()
