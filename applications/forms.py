from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.constants import Rating
from portal.validators import normalize_phone, normalize_text, validate_citizen_id

# --- Officials' confirmation forms (admin) ---------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the citizen (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupplementRequestForm(forms.Form):
    request_text = forms.CharField(
        label=_("Papers missing or to be corrected"),
        help_text=_("One paper a line. The citizen reads this text."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        help_text=_("The citizen reads this text; cite the rule that applies."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )


class ProcessForm(NoteForm):
    result_file = forms.FileField(label=_("Result document (PDF, JPEG or PNG, when it is electronic)"), required=False)


# --- Citizen forms ---------------------------------------------------------------------------


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=_("Full name"), max_length=150)
    applicant_citizen_id = forms.CharField(
        label=_("Citizen ID number (CCCD)"), max_length=12, validators=[validate_citizen_id]
    )
    applicant_date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, help_text=_("dd/mm/yyyy"), widget=forms.DateInput(format="%d/%m/%Y")
    )
    applicant_phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    applicant_address = forms.CharField(label=_("Address"), max_length=300)
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)

    def clean_applicant_name(self) -> str:
        return normalize_text(self.cleaned_data["applicant_name"])

    def clean_applicant_address(self) -> str:
        return normalize_text(self.cleaned_data["applicant_address"])

    def clean_applicant_phone(self) -> str:
        return normalize_phone(self.cleaned_data["applicant_phone"])


class PaperUploadForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), required=False)
    personal_document = forms.TypedChoiceField(
        label=_("Or reuse a document from your store"), required=False, coerce=int, empty_value=None
    )
    keep_in_store = forms.BooleanField(label=_("Also keep this file in my document store"), required=False)

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_documents(documents)

    def offer_documents(self, documents) -> None:
        """The choice of the citizen's stored documents, shown only when there are some (a view
        that did not need them to validate the form adds them before showing it again)."""
        if not documents:
            self.fields.pop("personal_document", None)
            return
        if "personal_document" not in self.fields:
            self.fields["personal_document"] = copy.deepcopy(self.base_fields["personal_document"])
        self.fields["personal_document"].choices = [("", "—")] + [(d.pk, d.title) for d in documents]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("personal_document"):
            raise forms.ValidationError(_("Choose a file to upload or a document from your store."))
        return data


class ExtraPaperForm(PaperUploadForm):
    title = forms.CharField(label=_("What is this paper?"), max_length=300)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Message to the officials (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Dossier code"), max_length=60, help_text=_("As printed on the receipt."))
    secret = forms.CharField(
        label=_("Lookup PIN or the last 4 digits of the applicant's phone"),
        max_length=6,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_secret(self) -> str:
        value = self.cleaned_data["secret"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Digits only."))
        return value


class MonthForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, choices=[(m, f"{m:02d}") for m in range(1, 13)])
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
