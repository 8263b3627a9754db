"""Login throttling (django-axes): too many failed logins for one login name from one address lock that
pair out for a while, on the app's own login page, in the user's language."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.security import client_ip
from tests.factories import UserFactory

LOCKED = "登录失败次数过多"


@pytest.fixture
def person(db):
    return UserFactory(username="wangfang", name="王芳")


def attempt(client, username="wangfang", password="wrong-password", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, times, username="wangfang", **extra):
    for _ in range(times):
        response = attempt(client, username, **extra)
    return response


def test_the_limit_is_five_failures_for_fifteen_minutes_by_default():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_below_the_limit_show_the_usual_error(client, person):
    response = fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert LOCKED not in response.text
    assert "请输入一个正确的登录名和密码" in response.text  # Django's own message, in Chinese


def test_the_fifth_failure_locks_out_on_the_apps_login_page_in_chinese(client, person):
    response = fail(client, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert [t.name for t in response.templates][0] == "registration/login.html"
    page = response.text
    assert LOCKED in page and "15 分钟后再试" in page
    assert 'id="login-locked-out"' in page
    assert '<html lang="zh-CN">' in page
    assert 'name="username"' in page and 'value="wangfang"' in page  # the form, with the name kept
    assert "Account locked" not in page and "Forbidden" not in page
    assert not logged_in(client)


def test_the_right_password_is_refused_during_the_lockout(client, person):
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = attempt(client, password="pass-1234")
    assert response.status_code == 429
    assert LOCKED in response.text
    assert not logged_in(client)


def test_the_lockout_ends_after_the_cool_off(client, person):
    fail(client, settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = attempt(client, password="pass-1234")
        assert response.status_code == 302
        assert logged_in(client)


def test_the_lockout_message_is_english_when_english_is_chosen(client, person):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail(client, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "15 minutes" in response.text
    assert LOCKED not in response.text


def test_a_login_before_the_limit_clears_only_that_persons_failures(client, person):
    other = UserFactory(username="liming")
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, limit - 1, username="liming")
    fail(client, limit - 1)
    response = attempt(client, password="pass-1234")
    assert response.status_code == 302 and logged_in(client)
    client.logout()

    # 王芳's count started again: as many failures as before are still not a lockout.
    response = fail(client, limit - 1)
    assert response.status_code == 200 and LOCKED not in response.text
    response = attempt(client, password="pass-1234")
    assert response.status_code == 302
    client.logout()

    # 李明's failures from the same address still count: one more locks him out.
    response = attempt(client, username="liming")
    assert response.status_code == 429
    response = attempt(client, username=other.username, password="pass-1234")
    assert response.status_code == 429 and not logged_in(client)


def test_the_lockout_is_for_one_address_only(client, person):
    fail(client, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.1.1.1")
    assert attempt(client, password="pass-1234", REMOTE_ADDR="10.1.1.1").status_code == 429
    response = attempt(client, password="pass-1234", REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 302 and logged_in(client)


def test_the_lockout_also_protects_the_admin_login(client, person):
    person.is_staff = True
    person.save()
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("admin:login"), {"username": "wangfang", "password": "pass-1234"})
    assert response.status_code == 429
    assert LOCKED in response.text
    assert not logged_in(client)


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(rf, settings):
    request = rf.post("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.LOGIN_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"  # without proxies the header is the client's own word
    settings.LOGIN_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # what a client writes in front is ignored
    settings.LOGIN_TRUSTED_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    settings.LOGIN_TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.1"  # fewer entries than proxies: not trusted


def test_a_login_name_longer_than_any_real_one_is_counted_not_a_server_error(client, person):
    """The failure log's column holds 255 characters; a pasted essay as the login name is counted,
    cut to 150, and locks out like any other name."""
    essay = "1" * 450
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, essay).status_code == 200
    assert attempt(client, essay).status_code == 429
