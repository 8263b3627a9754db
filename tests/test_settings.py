"""Start-up refuses bad configuration with one line naming the variable."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (Playwright in the test process), never a
        # deployment's.
        if k not in ("DATABASE_URL", "DJANGO_ENV", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env = {
        k: v for k, v in env.items() if not k.startswith(("SECURE_", "EMAIL_", "LOGIN_", "SESSION_", "CSRF_"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "ALLOWED_HOSTS": "minutes.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://minutes.example.cn",
    "SITE_URL": "https://minutes.example.cn",
    "EMAIL_HOST": "smtp.example.cn",
    "EMAIL_USE_TLS": "true",
}


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysqlx://db/minutes"}, "DATABASE_URL"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL"),
        ({"EMAIL_HOST": "smtp.example.cn", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "minutes.example.cn"}, "SECRET_KEY"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
    ],
)
def test_bad_value_stops_startup_with_one_line_naming_the_variable(overrides, variable):
    result = run_check(**overrides)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error:")
    assert variable in lines[0]


def test_production_starts_with_real_secret_and_hosts():
    result = run_check(DJANGO_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="minutes.example.cn")
    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_under_production_settings():
    result = run_check(
        "--deploy", "--fail-level", "WARNING", SECRET_KEY=random_secret_key(), **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr and "ERRORS" not in result.stderr


def test_deploy_check_names_what_an_operator_turned_off():
    """The clean result comes from the settings, not from silenced checks: turning them off is seen."""
    result = run_check(
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=random_secret_key(),
        SECURE_HSTS_SECONDS="0",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        DEBUG="true",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016", "security.W018"):
        assert check in result.stderr


def test_login_throttling_reads_the_environment():
    code = "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "DEBUG")}
    env.update(LOGIN_FAILURE_LIMIT="3", LOGIN_COOLOFF_MINUTES="60")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 1:00:00"


def test_defaults_are_chinese_shanghai_and_timezone_aware(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
