from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PortalLocaleMiddleware:
    """Vietnamese unless the visitor chose English with the language switcher.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which would
    show English to a citizen whose phone happens to be set to English; a provincial
    portal speaks Vietnamese first, so only the switcher's cookie counts here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and the permissions policy (Django 5.2 has no CSP of its own).

    Everything the portal serves comes from its own origin: no CDN, no inline script, so the
    policy can be strict. Images may be data: URIs (QR codes).
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is down or restarting, answer a clean 503 page in the visitor's
    language instead of a traceback; the connection is dropped so the next request
    reconnects by itself once the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError, connections
        from django.shortcuts import render

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        import logging

        logging.getLogger("portal.db").error("database unavailable: %s", exception.__class__.__name__)
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "10"
        return response


class NulByteMiddleware:
    """Refuse a request whose path or query string carries a NUL character with a 400.

    PostgreSQL text cannot hold NUL: such a value reaching a query (a code in the URL, a
    filter in the query string) raised DataError, a 500. Forms already refuse NUL in posted
    fields (Django's ProhibitNullCharactersValidator); this covers what views read directly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if "\x00" in request.path or any("\x00" in k or any("\x00" in v for v in vs) for k, vs in query.lists()):
            from django.core.exceptions import BadRequest
            from django.http import JsonResponse

            if request.path.startswith("/api/"):
                error = {"code": "invalid_parameter", "parameter": None, "message": "NUL character in the request"}
                return JsonResponse({"error": error}, status=400)
            raise BadRequest("NUL character in the request")
        return self.get_response(request)
