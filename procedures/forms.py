from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.selectors import FilterOptions

MAX_QUERY_LENGTH = 200


class CatalogueSearchForm(forms.Form):
    """The catalogue page's search box and filters (GET). Choices come from the catalogue."""

    q = forms.CharField(label=_("What do you need to do?"), required=False, max_length=MAX_QUERY_LENGTH)
    level = forms.ChoiceField(label=_("Level"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    online = forms.BooleanField(label=_("Only procedures that can be done fully online"), required=False)

    def __init__(self, *args, options: FilterOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": _("e.g. dang ky ho kinh doanh")}
        )
        self.fields["level"].choices = [("", _("All levels")), *options.levels]
        self.fields["sector"].choices = [("", _("All sectors")), *options.sectors]
        self.fields["agency"].choices = [("", _("All agencies")), *options.agencies]

    @staticmethod
    def empty_arguments() -> dict:
        return {"query": "", "level": None, "sector": None, "agency": None, "fully_online": None}

    def search_arguments(self) -> dict:
        """Arguments for ``procedure_search``; a filter with an unknown value is left out."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "query": (data.get("q") or "").strip(),
            "level": data.get("level") or None,
            "sector": data.get("sector") or None,
            "agency": data.get("agency") or None,
            "fully_online": True if data.get("online") else None,
        }
