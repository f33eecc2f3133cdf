"""The settings contract: environment in, configuration out, one clear line when wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import env

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-7f3c9a1e5b2d8f4a6c0e9b7d3f1a5c8e2b4d6f",
    "ALLOWED_HOSTS": "dichvucong.example.vn",
    "PAYMENT_GATEWAY_SECRET": "a-gateway-shared-secret-for-the-deploy-check",
}


def run_manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_in_production_stops_with_one_line():
    result = run_manage("check", extra_env={"DEBUG": "0", "ALLOWED_HOSTS": "x.vn"})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Configuration error: SECRET_KEY is missing: production (DEBUG off) needs a long random key."]


def test_malformed_database_url_stops_with_one_line_naming_it():
    result = run_manage("check", extra_env={"DATABASE_URL": "mysql://root@localhost/db"})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and "mysql" in lines[0]


def test_database_url_unset_is_sqlite_and_postgres_url_is_psycopg():
    sqlite = env.database_config(None, sqlite_path="/tmp/x.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    pg = env.database_config("postgres://postgres@127.0.0.1:5432/portal", sqlite_path="unused")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert pg["NAME"] == "portal" and pg["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(
    "url",
    ["postgres://postgres@127.0.0.1:5432/", "postgres://postgres@127.0.0.1:port/db", "ftp://x/y"],
)
def test_bad_database_urls_are_refused(url):
    with pytest.raises(env.EnvError, match="DATABASE_URL"):
        env.database_config(url, sqlite_path="unused")


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(env.EnvError, match="DEBUG='maybe'"):
        env.get_bool("DEBUG", default=False)


def test_redis_url_switches_celery_and_cache(settings):
    # The running test settings follow the environment they were started with.
    if os.environ.get("REDIS_URL"):
        assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
        assert settings.CELERY_TASK_ALWAYS_EAGER is False
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    else:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
