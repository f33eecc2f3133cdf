from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.constants import PaymentMethod
from delivery.selectors import provinces, wards_of


class ProvinceForm(forms.Form):
    """Step 1: the province or city (the ward list of step 2 depends on it)."""

    tinh = forms.ChoiceField(label=_("Province or city"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tinh"].choices = [("", _("— choose —"))] + [(p.code, p.name) for p in provinces()]


class AddressForm(forms.Form):
    """Step 2: the address in the chosen province; the service checks it again."""

    recipient_name = forms.CharField(label=_("Recipient's full name"), max_length=150)
    phone = forms.CharField(
        label=_("Recipient's mobile phone"), max_length=20, help_text=_("For example 0912 345 678.")
    )
    street_address = forms.CharField(label=_("House number, street, hamlet"), max_length=255)
    province = forms.CharField(widget=forms.HiddenInput)
    # A plain field with a select: a ward of another province reaches the service, whose
    # message names both units (a ChoiceField would only say "not a valid choice").
    ward = forms.CharField(label=_("Ward or commune"), widget=forms.Select)
    payment_method = forms.ChoiceField(
        label=_("Payment of the delivery fee"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.ONLINE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        choices = [("", _("— choose —"))]
        if province is not None:
            choices += [(w.code, w.name) for w in wards_of(province=province)]
            self.fields["province"].initial = province.code
        self.fields["ward"].widget.choices = choices
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["recipient_name"].widget.attrs["autocomplete"] = "name"
        self.fields["street_address"].widget.attrs["autocomplete"] = "address-line1"
