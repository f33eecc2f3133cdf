from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext_lazy as _

from portal.adminmixins import ReadOnlyAdminMixin
from portal.security.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for holders of security.view_auditentry (the "Security officer" group);
    nobody can add, change or delete entries, superusers included."""

    list_display = ["created_at", "action", "actor_email", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["actor_email", "object_repr", "object_id", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = False
    fields = [
        "created_at",
        "action",
        "actor_id",
        "actor_email",
        "object_type",
        "object_id",
        "object_repr",
        "changes_summary",
        "ip_address",
        "user_agent",
    ]
    readonly_fields = fields
    actions = None

    @admin.display(description=_("changes"))
    def changes_summary(self, obj: AuditEntry) -> str:
        # Admin changes keep LogEntry's JSON; render it as the admin's history page does.
        if obj.changes.startswith("["):
            return LogEntry(change_message=obj.changes).get_change_message()
        return obj.changes
