"""What portal.security changes in the default admin site, installed from AppConfig.ready.

- ``admin.site.login`` never shows Django's bare login form nor authenticates anyone: it
  sends to allauth's login page (password, then the second factor) with ``next``.
- ``admin.site.password_change`` sends to allauth's page, so every password change goes
  through one flow: audited, and the other sessions ended.
- The site-wide "delete selected" action records bulk deletions in the audit trail: Django
  logs them with ``LogEntry.objects.bulk_create``, which sends no ``post_save``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from portal.security.constants import AuditAction


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME) or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated and request.user.is_staff:
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def admin_password_change(request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("account_change_password"))


def audited_delete_selected(modeladmin, request, queryset):
    from portal.security import services

    before = [(obj.pk, str(obj)) for obj in queryset]
    response = delete_selected(modeladmin, request, queryset)
    # With one object Django saves its LogEntry (recorded by the post_save receiver).
    if len(before) > 1:
        model = queryset.model
        remaining = set(model._default_manager.filter(pk__in=[pk for pk, _repr in before]).values_list("pk", flat=True))
        for pk, text in before:
            if pk not in remaining:
                services.audit_record(
                    action=AuditAction.ADMIN_DELETION,
                    actor=request.user,
                    request=request,
                    object_type=model._meta.label_lower,
                    object_id=str(pk),
                    object_repr=text,
                )
    return response


audited_delete_selected.allowed_permissions = delete_selected.allowed_permissions
audited_delete_selected.short_description = delete_selected.short_description


def install() -> None:
    admin.site.login = admin_login
    admin.site.password_change = admin_password_change
    admin.site.add_action(audited_delete_selected, "delete_selected")
