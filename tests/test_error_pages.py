"""With DEBUG off (as `make run` and production run), static files come from WhiteNoise and a missing
page or an error shows the app's own pages, never Django's technical ones."""

import pytest
from django.conf import settings as django_settings
from whitenoise.middleware import WhiteNoiseFileResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"
    return settings


def test_static_files_are_served_by_whitenoise_without_collectstatic(production_like, client):
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert isinstance(response, WhiteNoiseFileResponse)
    assert b"data-submit-on-change" in b"".join(response.streaming_content)
    assert "max-age" in response.headers["Cache-Control"]


def test_whitenoise_comes_right_after_the_security_middleware():
    middleware = django_settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == 1
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"


def test_unknown_address_answers_the_apps_own_404_page(production_like, client_for, owner):
    response = client_for(owner).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在,或您没有查看权限" in response.text
    assert "返回我的行动项" in response.text
    assert "Using the URLconf" not in response.text and "Page not found" not in response.text


def test_a_missing_static_file_answers_the_own_404_page_when_signed_out(production_like, client):
    response = client.get("/static/no-such-file.js")
    assert response.status_code == 404
    assert "页面不存在,或您没有查看权限" in response.text


def test_a_failing_view_answers_the_apps_own_500_page(production_like, client_for, owner):
    client = client_for(owner)
    client.raise_request_exception = False
    response = client.get("/test-only/fail/")
    assert response.status_code == 500
    assert "服务器出错了" in response.text
    assert "请稍后重试" in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert "a bug in a view" not in response.text


def test_the_500_page_follows_the_chosen_language(production_like, client):
    client.raise_request_exception = False
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/test-only/fail/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert '<html lang="en">' in response.text
