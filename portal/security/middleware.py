from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.security.client import serving
from portal.security.constants import (
    LAST_ACTIVITY_GRANULARITY,
    SESSION_LAST_ACTIVITY,
    SESSION_LOGIN_AT,
    SESSION_SECOND_FACTOR,
    AuditAction,
)


def idle_timeout_for(user) -> int:
    if user.is_staff:
        return settings.SESSION_IDLE_TIMEOUT_STAFF
    return settings.SESSION_IDLE_TIMEOUT_CITIZEN


def admin_prefix() -> str:
    return "/" + settings.ADMIN_URL.strip("/") + "/"


class SessionTimeoutMiddleware:
    """End a signed-in session after a quiet spell or, in any case, some hours after sign-in.

    The sign-in time and the last activity live in the session itself (set at login by
    portal.security.receivers), so this works the same with every session engine and
    across processes. Ending means Django's ``logout``: the session row is deleted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest, user) -> HttpResponse | None:
        session = request.session
        now = time.time()
        login_at = session.get(SESSION_LOGIN_AT)
        last = session.get(SESSION_LAST_ACTIVITY)
        if login_at is None or last is None:
            # A session from before this middleware: its clock starts now.
            session[SESSION_LOGIN_AT] = login_at = now if login_at is None else login_at
            session[SESSION_LAST_ACTIVITY] = last = now
        idle = now - last > idle_timeout_for(user)
        too_old = now - login_at > settings.SESSION_ABSOLUTE_LIFETIME
        if idle or too_old:
            return self._expire(request, user, idle=idle)
        if now - last >= LAST_ACTIVITY_GRANULARITY:
            session[SESSION_LAST_ACTIVITY] = now
        return None

    def _expire(self, request: HttpRequest, user, *, idle: bool) -> HttpResponse:
        from portal.security import services

        if user.is_staff:
            services.audit_record(
                action=AuditAction.SESSION_EXPIRED,
                actor=user,
                request=request,
                changes="idle" if idle else "lifetime",
            )
        logout(request)
        if idle:
            text = _("You were signed out after a period of inactivity. Please sign in again.")
        else:
            text = _("Your session has reached its maximum length. Please sign in again.")
        messages.info(request, text)
        login_url = reverse("account_login")
        if request.method == "GET":
            login_url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(login_url)


class AdminAccessMiddleware:
    """The officials' admin, at ``settings.ADMIN_URL``, for staff with a second factor only.

    Why a middleware rather than an AdminSite subclass: it guards every URL under the
    prefix whichever site or custom view serves it, and it answers before the admin's own
    code runs, so nobody else learns the admin exists: anonymous visitors and citizens get
    the same 404 as for any unknown page (the admin's redirect to its login would reveal it).
    Staff sign in on the normal allauth page, then open the admin URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # "/quan-tri" counts too: APPEND_SLASH would otherwise redirect it to the admin.
        if not (request.path + "/").startswith(admin_prefix()):
            return self.get_response(request)
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            request.urlconf = "portal.security.urls_hidden"
            raise Http404
        response = self._require_second_factor(request, user)
        if response is not None:
            return response
        with serving(request):
            return self.get_response(request)

    def _require_second_factor(self, request: HttpRequest, user) -> HttpResponse | None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import is_mfa_enabled

        if not is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]):
            messages.warning(
                request,
                _("Officials must turn on two-factor authentication before using the back office."),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        proof = request.session.get(SESSION_SECOND_FACTOR) or {}
        if proof.get("user") != str(user.pk):
            # Signed in without the second factor (e.g. before it was turned on): ask for a code.
            query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None
