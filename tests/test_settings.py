"""Start-up refuses bad configuration with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env_overrides):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ENV", "DEBUG", "SECRET_KEY")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


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


def test_defaults_are_chinese_shanghai_and_timezone_aware(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
