from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.validators import (
    citizen_id_birth_year_matches,
    normalize_phone,
    normalize_text,
    validate_citizen_id,
)


class ProfileForm(forms.ModelForm):
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=True,
        help_text=_("dd/mm/yyyy"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "bday"}),
        error_messages={"invalid": _("Enter the date as dd/mm/yyyy, for example 05/09/1985.")},
    )

    class Meta:
        model = User
        fields = ["full_name", "citizen_id", "date_of_birth", "phone", "address"]
        labels = {
            "full_name": _("Full name"),
            "citizen_id": _("Citizen ID number (CCCD)"),
            "phone": _("Mobile phone"),
            "address": _("Permanent address"),
        }
        help_texts = {
            "citizen_id": _("12 digits, as printed on your chip-based ID card."),
            "phone": _("For SMS about your dossiers, e.g. 0912 345 678."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "type": "tel"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("full_name", "citizen_id", "phone", "address"):
            self.fields[name].required = True

    def clean_full_name(self) -> str:
        return normalize_text(self.cleaned_data["full_name"])

    def clean_address(self) -> str:
        return normalize_text(self.cleaned_data["address"])

    def clean_citizen_id(self) -> str:
        citizen_id = "".join(self.cleaned_data["citizen_id"].split())
        validate_citizen_id(citizen_id)  # here, so clean() only sees a well-formed number
        return citizen_id

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        citizen_id, birth = cleaned.get("citizen_id"), cleaned.get("date_of_birth")
        if citizen_id and birth and not citizen_id_birth_year_matches(citizen_id, birth):
            self.add_error(
                "citizen_id",
                _("This citizen ID does not match the year of birth %(year)s: check both.") % {"year": birth.year},
            )
        return cleaned
