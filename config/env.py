"""Read settings from the environment.

A malformed value stops start-up with one line naming the variable, rather than a traceback
deep inside Django or a silently wrong default.
"""

import os
from urllib.parse import urlsplit

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(SystemExit):
    """Raised for a bad environment value. SystemExit prints just the message and exits 1."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"Configuration error: {name} {problem}")


class Env:
    def __init__(self, environ=None):
        self.environ = os.environ if environ is None else environ

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.environ.get(name)
        if value is None or value == "":
            if required:
                raise ConfigError(name, "must be set")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self.environ.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ConfigError(name, f"must be true or false, not {value!r}")

    def int(self, name: str, default: int) -> int:
        value = self.environ.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(name, f"must be a whole number, not {value!r}") from None

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self.environ.get(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.environ.get(name) or default
        if value not in choices:
            raise ConfigError(name, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def url(self, name: str, default: str, schemes: tuple[str, ...]) -> str:
        value = self.environ.get(name) or default
        try:
            parts = urlsplit(value)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in schemes or "://" not in value:
            raise ConfigError(name, f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return value

    def database(self, name: str, default: str) -> dict:
        import dj_database_url

        value = self.url(name, default, ("sqlite", "postgres", "postgresql", "pgsql"))
        try:
            config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
        except (ValueError, KeyError) as exc:
            raise ConfigError(name, f"is not a valid database URL ({exc})") from None
        if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
            raise ConfigError(name, "must name a database, e.g. postgres://user@host:5432/minutes")
        return config
