from __future__ import annotations

from typing import Any

from django.db import transaction

from portal.models import User

PROFILE_FIELDS = ("full_name", "citizen_id", "date_of_birth", "phone", "address")


def user_update_profile(*, user: User, data: dict[str, Any]) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = [name for name in PROFILE_FIELDS if name in data and getattr(locked, name) != data[name]]
        for name in changed:
            setattr(locked, name, data[name])
        if "phone" in changed:
            # A new number must be verified again before SMS go to it.
            locked.phone_verified = False
            changed.append("phone_verified")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
    return locked
