from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.assistant.services import MAX_QUESTION_LENGTH
from procedures.models import Procedure


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=MAX_QUESTION_LENGTH,
        help_text=_("For example: “Đăng ký khai sinh cần giấy tờ gì?”"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AliasForm(forms.Form):
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.filter(is_active=True).only("code", "name"),
        to_field_name="code",
        widget=forms.TextInput,
        help_text=_("The procedure code, e.g. 1.001612."),
        error_messages={"invalid_choice": _("No active procedure has this code.")},
    )
