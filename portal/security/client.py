"""Who is on the other end of a request: address and user agent, for the audit trail.

The address is REMOTE_ADDR unless ``ALLAUTH_TRUSTED_PROXY_COUNT`` (environment:
``TRUSTED_PROXY_COUNT``) says how many trusted reverse proxies append to X-Forwarded-For;
then it is the entry that many hops from the right. allauth's rate limits read the same
setting, so the two never disagree. Never trust X-Forwarded-For without such a proxy:
any client can send the header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

USER_AGENT_MAX_LENGTH = 300

# The request being served, for hooks that Django calls without one (the admin's LogEntry).
# A context variable, not a module global: each thread or task sees only its own request.
_current_request: ContextVar[HttpRequest | None] = ContextVar("security_current_request", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]


def current_request() -> HttpRequest | None:
    return _current_request.get()


@contextmanager
def serving(request: HttpRequest) -> Iterator[None]:
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)
