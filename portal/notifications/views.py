from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.notifications import selectors, services


@login_required
@require_http_methods(["GET", "HEAD"])
def notification_list(request):
    page = Paginator(selectors.site_notifications_for_user(user=request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(user=request.user)},
    )


@login_required
def notification_read(request, pk: int):
    # Ownership before the method: someone else's notification is a 404 for every method.
    if not selectors.site_notifications_for_user(user=request.user).filter(pk=pk).exists():
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    marked = services.notification_mark_read(user=request.user, notification_id=pk)
    # Not theirs or not a portal notification: 404, as for anything that is not theirs.
    if not marked and not selectors.site_notifications_for_user(user=request.user).filter(pk=pk).exists():
        raise Http404
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    from portal.notifications.forms import PreferenceForm

    current = services.preference_for(user=request.user)
    initial = {
        "email_enabled": current.email_enabled,
        "sms_enabled": current.sms_enabled,
        "language": current.language,
    }
    form = PreferenceForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
