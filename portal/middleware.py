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
