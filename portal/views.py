from __future__ import annotations

from allauth.account.views import LoginView as AllauthLoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

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
