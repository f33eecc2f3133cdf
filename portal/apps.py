from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal and citizen accounts")

    def ready(self):
        from portal.auth import connect_signals

        connect_signals()
