"""The electronic receipt (biên lai điện tử) as a PDF."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from payments.models import Receipt
from portal.numwords import vnd_in_words
from portal.pdf import render_pdf


def render_receipt_pdf(*, receipt: Receipt) -> bytes:
    payment = receipt.payment
    return render_pdf(
        "payments/receipt_pdf.html",
        {
            "receipt": receipt,
            "payment": payment,
            "dossier": payment.dossier,
            "portal_name": settings.PORTAL_NAME,
            "issued_at": timezone.localtime(receipt.issued_at),
            "paid_at": timezone.localtime(payment.paid_at) if payment.paid_at else None,
            "total_in_words": vnd_in_words(receipt.total),
        },
    )
