from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "portal.security"
    label = "security"
    verbose_name = _("Account security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.security import admin_hooks, receivers

        receivers.connect()
        admin_hooks.install()
