from __future__ import annotations

from allauth.account.views import LoginView as AllauthLoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.forms import ProfileForm
from portal.security.decorators import reauthentication_required_for_phone_change
from portal.services import user_update_profile


def home(request):
    from procedures.pagecache import catalogue_page
    from procedures.selectors import popular_procedures

    def content() -> dict[str, str]:
        popular = popular_procedures(limit=8)
        return {"content": render_to_string("portal/_home_content.html", {"popular": popular})}

    return render(request, "portal/home.html", catalogue_page(("home",), content))


@never_cache
@require_GET
def switch_language(request, language):
    """The header's language links: set the language cookie, then go back to the page.

    A plain link rather than a POST form to Django's ``set_language``: that form put a CSRF
    token on every page, so an anonymous visitor's first page generated a CSRF secret and
    set a ``csrftoken`` cookie, about a fifth of the CPU of a cached catalogue page, and no
    proxy could cache a response carrying Set-Cookie. A GET that changes state is acceptable
    here because all it changes is a display preference: a forged cross-site link can at
    worst switch the visitor's language, which the same links switch back. ``next`` and the
    Referer are followed only when they stay on this site (no open redirect).
    """
    if language not in dict(settings.LANGUAGES):
        raise Http404
    response = HttpResponseRedirect(_same_site_url(request, request.GET.get("next")))
    # The same cookie as Django's set_language, the one PortalLocaleMiddleware reads.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _same_site_url(request, next_url: str | None) -> str:
    """``next_url``, else the Referer, when it stays on this site; else the home page."""
    for candidate in (next_url, request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required_for_phone_change
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("portal:profile")
    return render(request, "portal/profile.html", {"form": form})


LOCKED_OUT_RETRY_AFTER_SECONDS = 300  # settings.ACCOUNT_RATE_LIMITS "login_failed": 5 per 5 minutes


class LoginView(AllauthLoginView):
    """allauth's sign-in, answering 429 (with Retry-After) while the account is locked out after
    too many wrong passwords, instead of a 200 page: clients and monitoring see the refusal.
    The page and its Vietnamese message are allauth's, unchanged."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(error.code == "too_many_login_attempts" for error in form.non_field_errors().as_data()):
            response.status_code = 429
            response["Retry-After"] = str(LOCKED_OUT_RETRY_AFTER_SECONDS)
        return response
