"""Reading the environment for settings.

Every helper raises :class:`EnvError` with one line that names the variable and
says what is wrong with it, so that a misconfigured deployment stops at start-up
with a message an operator can act on (``manage.py``, ``wsgi`` and the Celery
app print that line instead of a traceback).
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class EnvError(ImproperlyConfigured):
    """A variable of the environment is missing or malformed."""


def get_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def get_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvError(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def get_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise EnvError(f"{name}={value!r} is not a whole number.") from None


def get_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(url: str | None, *, sqlite_path: str) -> dict:
    """``DATABASE_URL`` unset → SQLite file; ``postgres://`` → PostgreSQL via psycopg 3."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {
                # WAL lets readers go on while a writer commits; the timeout rides out
                # short write locks instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    import dj_database_url

    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise EnvError(
            f"DATABASE_URL has scheme {parsed.scheme!r}: use postgres://user@host:port/name "
            "(or leave it unset for the SQLite file)."
        )
    if parsed.scheme != "sqlite" and not parsed.path.strip("/"):
        raise EnvError("DATABASE_URL names no database: add /<name> after the host.")
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise EnvError(f"DATABASE_URL is malformed: {exc}") from None
    if parsed.scheme != "sqlite":
        try:
            parsed.port  # noqa: B018 - raises on a non-numeric port
        except ValueError:
            raise EnvError("DATABASE_URL has a port that is not a number.") from None
    return config


def redis_url(value: str | None) -> str | None:
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in {"redis", "rediss", "unix"}:
        raise EnvError(f"REDIS_URL has scheme {parsed.scheme!r}: use redis://host:port/db.")
    return value
