"""Asking for the password again before a sensitive change to the account."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from portal.validators import normalize_phone


def phone_change_requested(request: HttpRequest) -> bool:
    """True when this POST would change the signed-in user's mobile number."""
    if request.method != "POST" or not request.user.is_authenticated or "phone" not in request.POST:
        return False
    if not request.user.phone:
        return False  # giving a number for the first time changes nothing anyone relied on
    try:
        phone = normalize_phone(request.POST["phone"])
    except ValidationError:
        return False  # the form refuses it anyway; the password is asked once it is valid
    return phone != request.user.phone


# allauth stores the POST, asks for the password (or a second-factor code) and then replays
# the request, so what the user typed is saved without typing it again.
reauthentication_required_for_phone_change = reauthentication_required(enabled=phone_change_requested)
