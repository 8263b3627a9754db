from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware:
    """Pick the language the user chose, else Simplified Chinese.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many browsers in
    Chinese offices are installed in English, and users expect the product in Chinese until they
    switch. The choice is kept on the account (so e-mails follow it) and in a cookie (for the
    login page).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated and user.language in self.supported:
            language = user.language
        if language is None:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = cookie if cookie in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session expired would follow the redirect to the login page and swap that
    page into a table row. Tell htmx to load the login page as a whole page instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") and response.status_code == 302:
            location = response.get("Location", "")
            if location.startswith(resolve_url(settings.LOGIN_URL)):
                response.status_code = 204
                response["HX-Redirect"] = location
        return response
