from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.constants import (
    RESULT_CANCELLED,
    RESULT_CARD_LOCKED,
    RESULT_INSUFFICIENT_FUNDS,
    RESULT_SUCCESS,
    RESULT_TIMEOUT,
    PaymentMethod,
)
from payments.mockgateway.banks import BANKS, EWALLETS


class PaymentStartForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How do you want to pay?"), choices=PaymentMethod.choices, widget=forms.RadioSelect, initial="bank"
    )


def mock_source_choices() -> list[tuple[str, str]]:
    return [
        *((f"bank:{b.code}", f"{b.short_name} — {b.name}") for b in BANKS),
        *((f"ewallet:{code}", name) for code, name in EWALLETS),
        ("vietqr:VIETQR", _("Bank transfer by scanning the VietQR code")),
    ]


class MockPayForm(forms.Form):
    """The mock gateway's hosted page: where the money comes from, and what happens."""

    source = forms.ChoiceField(
        label=_("Pay from"), choices=mock_source_choices, widget=forms.RadioSelect, required=False
    )
    result = forms.ChoiceField(
        choices=[
            (RESULT_SUCCESS, _("Pay")),
            (RESULT_INSUFFICIENT_FUNDS, _("Insufficient funds")),
            (RESULT_CARD_LOCKED, _("Card locked")),
            (RESULT_CANCELLED, _("Cancel")),
            (RESULT_TIMEOUT, _("Time out")),
        ]
    )

    def clean(self):
        data = super().clean()
        if data.get("result") not in (RESULT_CANCELLED, RESULT_TIMEOUT) and not data.get("source"):
            self.add_error("source", _("Choose a bank, an e-wallet or the QR code."))
        return data
