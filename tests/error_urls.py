"""The app's URLs plus one view that fails, for tests/test_error_pages.py."""

from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns


def fail(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*app_urlpatterns, path("test-only/fail/", fail)]
