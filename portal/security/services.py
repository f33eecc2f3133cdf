"""Account security actions: the audit trail and ending sessions."""

from __future__ import annotations

import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.http import HttpRequest

from portal.security.client import client_ip, user_agent
from portal.security.constants import AuditAction
from portal.security.models import AuditEntry

logger = logging.getLogger(__name__)


def audit_record(
    *,
    action: AuditAction,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None,
    actor_email: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: str = "",
) -> AuditEntry:
    """Append one entry to the trail. ``obj`` fills type, id and representation; the
    explicit arguments serve objects that are already gone (deletions)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if actor is not None and not actor.is_authenticated:
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_email=actor_email or (getattr(actor, "email", "") if actor is not None else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        changes=changes,
        ip_address=client_ip(request),
        user_agent=user_agent(request),
    )
    entry.save()
    logger.info(
        "audit action=%s actor=%s object=%s:%s ip=%s",
        action,
        entry.actor_email or "-",
        object_type or "-",
        object_id or "-",
        entry.ip_address or "-",
    )
    return entry


def sessions_end_others(*, request: HttpRequest, user: AbstractBaseUser) -> int:
    """End every session of ``user`` on the server except the one of this request.

    Django already refuses a session whose password hash is stale, but the row stays and
    the refusal is silent; deleting the rows ends them for good (and shows in the trail).
    Sessions are found through allauth.usersessions, which records each one at sign-in.
    """
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    current = request.session.session_key
    with transaction.atomic():
        others = list(UserSession.objects.select_for_update().filter(user_id=user.pk).exclude(session_key=current))
        # The row of this very session before its key was cycled is among them, already gone.
        live = sum(1 for session in others if session.exists())
        get_adapter().end_sessions(others)
    if live:
        audit_record(action=AuditAction.SESSIONS_ENDED, actor=user, request=request, obj=user, changes=str(live))
    return live


def sessions_end_all(*, user: AbstractBaseUser, request: HttpRequest | None = None) -> int:
    """End every session of ``user`` (after a password reset: none of them is trusted)."""
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        sessions = list(UserSession.objects.select_for_update().filter(user_id=user.pk))
        live = sum(1 for session in sessions if session.exists())
        get_adapter().end_sessions(sessions)
    if live:
        audit_record(action=AuditAction.SESSIONS_ENDED, actor=user, request=request, obj=user, changes=str(live))
    return live
