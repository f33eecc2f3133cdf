from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    """The hotline assistant, its own app so its tables and migrations stay apart from the catalogue's."""

    name = "procedures.assistant"
    label = "assistant"
    verbose_name = _("Hotline assistant")
