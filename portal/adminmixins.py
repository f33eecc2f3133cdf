"""Admin pieces shared by the apps' back-office pages."""

from __future__ import annotations

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Rows kept by the services (logs, payments, dossiers moved by their own actions):
    officials read them in the admin, nobody adds, edits or deletes them there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A related list shown on a change page, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
