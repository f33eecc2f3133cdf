from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.notifications.constants import Language


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Send me e-mails"), required=False)
    sms_enabled = forms.BooleanField(
        label=_("Send me SMS"),
        required=False,
        help_text=_("SMS go only to a verified mobile number."),
    )
    language = forms.ChoiceField(label=_("Language of messages"), choices=Language.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_sms_enabled(self) -> bool:
        value = self.cleaned_data["sms_enabled"]
        if value and not (self.user.phone and self.user.phone_verified):
            raise forms.ValidationError(
                _("Add your mobile number in your profile and have it verified before choosing SMS."),
                code="phone_unverified",
            )
        return value
