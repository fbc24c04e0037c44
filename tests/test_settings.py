"""The site's settings as production and a newcomer's machine see them."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = settings.BASE_DIR
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "mesocare.settings",
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "false",
    "HTTPS": "true",
    "ALLOWED_HOSTS": "mesocare.example",
    "DATABASE_URL": "sqlite:////tmp/mesocare-check.sqlite3",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args, env):
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_secret_key_stops_start_up_with_a_clear_message(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env={**PRODUCTION, "DEBUG": ""})
    assert result.stdout.strip().endswith("False"), result.stderr


def test_database_url_chooses_postgresql():
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])"
    result = manage("shell", "-c", code, env={**PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mesocare"})
    assert "postgresql mesocare 127.0.0.1" in result.stdout, result.stderr


def test_no_model_change_is_missing_a_migration(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits with an error if one is
    assert "No changes detected" in out.getvalue()


def test_cache_url_makes_redis_the_shared_cache_without_loading_redis_py():
    code = (
        "import sys; from django.core.cache import caches; cache = caches['default']; cache.set('greeting', 'hello', 5); "
        "print(type(cache).__name__, cache.get('greeting'), cache.delete('greeting'), 'redis' in sys.modules)"
    )
    result = manage("shell", "-c", code, env={**PRODUCTION, "CACHE_URL": "redis://127.0.0.1:6379/1?socket_timeout=2"})
    assert result.stdout.split()[-4:] == ["BestEffortRedisCache", "hello", "True", "False"], result.stdout + result.stderr


@pytest.mark.parametrize("header", ["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"])
def test_pages_carry_the_security_headers(client, shipped_content, header):
    assert client.get("/procedures/mesotherapy/").has_header(header)
