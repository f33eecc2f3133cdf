"""Hooks into the sign-in machinery of Django and allauth.

These are the frameworks' own extension points (Django's auth signals, allauth's account
and MFA signals, the admin's LogEntry): there is no service of ours to call explicitly,
because the flows that emit them belong to the frameworks.
"""

from __future__ import annotations

import time

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save

from portal.security import services
from portal.security.client import current_request
from portal.security.constants import (
    SESSION_LAST_ACTIVITY,
    SESSION_LOGIN_AT,
    SESSION_SECOND_FACTOR,
    AuditAction,
)

ADMIN_ACTIONS = {
    ADDITION: AuditAction.ADMIN_ADDITION,
    CHANGE: AuditAction.ADMIN_CHANGE,
    DELETION: AuditAction.ADMIN_DELETION,
}
# Authenticators that prove possession of a device (recovery codes are a fallback only).
DEVICE_TYPES = {"totp", "webauthn"}


def mark_second_factor(request, user) -> None:
    """Remember in the session that this user proved the second factor in it."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SECOND_FACTOR] = {"user": str(user.pk), "at": time.time()}


def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_ACTIVITY] = now
    if user.is_staff:
        services.audit_record(action=AuditAction.LOGIN, actor=user, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_staff:
        services.audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    login = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    if not login:
        return
    user = get_user_model().objects.filter(email__iexact=login, is_staff=True).first()
    # Only officials' accounts: a typo on a citizen's phone is not a security event, and
    # recording every unknown address would let anyone fill the trail (rate limits guard those).
    if user is not None:
        services.audit_record(
            action=AuditAction.LOGIN_FAILED, actor=None, actor_email=login[:254], request=request, obj=user
        )


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type in DEVICE_TYPES:
        # Activating it took a valid code from the device: the second factor is proven.
        mark_second_factor(request, user)
    services.audit_record(
        action=AuditAction.SECOND_FACTOR_ADDED, actor=user, request=request, obj=user, changes=authenticator.type
    )


def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    services.audit_record(
        action=AuditAction.SECOND_FACTOR_REMOVED, actor=user, request=request, obj=user, changes=authenticator.type
    )


def on_authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    services.audit_record(
        action=AuditAction.SECOND_FACTOR_RESET, actor=user, request=request, obj=user, changes=authenticator.type
    )


def on_authenticator_used(sender, request, user, authenticator, **kwargs) -> None:
    mark_second_factor(request, user)


def on_second_factor_failed(sender, request, user, authenticator, **kwargs) -> None:
    services.audit_record(
        action=AuditAction.SECOND_FACTOR_FAILED, actor=user, request=request, obj=user, changes=authenticator.type
    )


def on_password_changed(sender, request, user, **kwargs) -> None:
    services.audit_record(action=AuditAction.PASSWORD_CHANGED, actor=user, request=request, obj=user)
    # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off so this device stays signed in: end the others.
    services.sessions_end_others(request=request, user=user)


def on_password_reset(sender, request, user, **kwargs) -> None:
    services.audit_record(action=AuditAction.PASSWORD_RESET, actor=user, request=request, obj=user)
    services.sessions_end_all(user=user, request=request)


def on_email_changed(sender, request, user, from_email_address=None, to_email_address=None, **kwargs) -> None:
    before = from_email_address.email if from_email_address else ""
    after = to_email_address.email if to_email_address else ""
    services.audit_record(
        action=AuditAction.EMAIL_CHANGED, actor=user, request=request, obj=user, changes=f"{before} -> {after}"
    )


def on_email_added(sender, request, user, email_address, **kwargs) -> None:
    services.audit_record(
        action=AuditAction.EMAIL_CHANGED, actor=user, request=request, obj=user, changes=f"+ {email_address.email}"
    )


def on_email_removed(sender, request, user, email_address, **kwargs) -> None:
    services.audit_record(
        action=AuditAction.EMAIL_CHANGED, actor=user, request=request, obj=user, changes=f"- {email_address.email}"
    )


def on_admin_log_entry(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    """Every add, change and delete made through the admin, whichever app's admin it is.

    ModelAdmin writes a LogEntry with ``save()`` for one object; only the bulk
    "delete selected" action uses ``bulk_create``, which admin_hooks records instead.
    """
    if not created or raw or instance.action_flag not in ADMIN_ACTIONS:
        return
    content_type = instance.content_type
    services.audit_record(
        action=ADMIN_ACTIONS[instance.action_flag],
        actor=instance.user,
        request=current_request(),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        changes=instance.change_message,
    )


def connect() -> None:
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals

    uid = "portal.security"
    user_logged_in.connect(on_logged_in, dispatch_uid=f"{uid}.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid=f"{uid}.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}.login_failed")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid=f"{uid}.mfa_added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid=f"{uid}.mfa_removed")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid=f"{uid}.mfa_reset")
    mfa_signals.authenticator_used.connect(on_authenticator_used, dispatch_uid=f"{uid}.mfa_used")
    mfa_signals.authentication_failed.connect(on_second_factor_failed, dispatch_uid=f"{uid}.mfa_failed")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid=f"{uid}.password_changed")
    account_signals.password_set.connect(on_password_changed, dispatch_uid=f"{uid}.password_set")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid=f"{uid}.password_reset")
    account_signals.email_changed.connect(on_email_changed, dispatch_uid=f"{uid}.email_changed")
    account_signals.email_added.connect(on_email_added, dispatch_uid=f"{uid}.email_added")
    account_signals.email_removed.connect(on_email_removed, dispatch_uid=f"{uid}.email_removed")
    post_save.connect(on_admin_log_entry, sender=LogEntry, dispatch_uid=f"{uid}.admin_log")
