"""Signed-in requests without a query for the user row: the row is cached for a minute.

Every signed-in request loads its user (``AuthenticationMiddleware`` → ``auth.get_user`` →
the session's backend's ``get_user``): a SELECT of the user's ~20 columns, 0.4 ms of CPU and
a round trip to PostgreSQL, a quarter of a citizen's "my dossiers" page
(bench/pages_bench.py). These backends keep the row in the shared cache instead.

What keeps it right:

- Saving or deleting a user (a password change, deactivation, a profile edit, the last
  login) drops the cached row at once and again when the transaction commits (a request in
  another process may cache the old row in between); the next request reads it afresh.
- The session is still verified against the cached row's password hash by
  ``auth.get_user``, and an inactive user is still refused here.
- Only the row is cached: permissions and groups are read as before, per request.
- A change that bypasses ``save()`` (a queryset update, SQL in a shell) shows within
  USER_CACHE_TTL seconds (USER_CACHE_TTL_STAFF for staff); so does the rare race of a request
  that read the row just before a change committed and stores it just after.
- The cached row holds what the user table holds (the password hash, the CCCD, the phone):
  Redis keeps the sessions already and must be private to the portal (README, "Redis").
- If Redis cannot be reached, the cache reads as a miss (portal.cache.SoftFailRedisCache) and
  the row is read from the database.

Sessions record the backend that signed them in; these replace Django's and allauth's
backends under new paths, so a session made before this change signs its user out once.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

USER_CACHE_TTL = 60  # seconds
# Staff reach the admin: a change that bypasses save() (or a request that read the old row just
# before a change committed and cached it just after) keeps an official's old rights at most this long.
USER_CACHE_TTL_STAFF = 10


def user_cache_key(user_id) -> str:
    return f"authuser:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        key = user_cache_key(user_id)
        user = cache.get(key)  # Redis down: a miss (portal.cache.SoftFailRedisCache)
        if user is not None:
            return user if self.user_can_authenticate(user) else None
        user = super().get_user(user_id)
        if user is not None:
            cache.set(key, user, USER_CACHE_TTL_STAFF if user.is_staff else USER_CACHE_TTL)
        return user


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """django.contrib.auth's ModelBackend (the admin's and tests' sign-in)."""


class CachedAllauthBackend(CachedUserMixin, AllauthBackend):
    """allauth's backend (e-mail sign-in on the portal)."""


def forget_user(user_id) -> None:
    """Drop the cached row now and after the current transaction commits."""
    from django.db import transaction

    key = user_cache_key(user_id)

    def drop() -> None:
        cache.delete(key)

    drop()
    transaction.on_commit(drop)


def _user_changed(sender, instance, **kwargs) -> None:
    if instance.pk is not None:
        forget_user(instance.pk)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="portal.auth.user_saved")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="portal.auth.user_deleted")
