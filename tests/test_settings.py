"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from saas_platform.embedded_db import embedded_database_config

ROOT = Path(__file__).resolve().parent.parent


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    base.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unused")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import saas_platform.settings as s; {code}"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_settings("print('started')", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_starts_with_a_secret_key() -> None:
    result = run_settings("print(s.DEBUG)", DEBUG="false", SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_allowed_hosts_follow_the_platform_domain() -> None:
    result = run_settings(
        "print(s.ALLOWED_HOSTS)", DEBUG="true", PLATFORM_DOMAIN="Duka.Example.COM"
    )

    assert result.stdout.strip() == "['duka.example.com', '.duka.example.com']"


def test_without_redis_tasks_run_in_process() -> None:
    result = run_settings(
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])",
        DEBUG="true",
        REDIS_URL="",
    )

    assert result.stdout.split() == ["True", "django.core.cache.backends.locmem.LocMemCache"]


def test_with_redis_the_cache_keys_are_tenant_prefixed() -> None:
    result = run_settings(
        "c = s.CACHES['default']; print(s.CELERY_TASK_ALWAYS_EAGER, c['KEY_FUNCTION'])",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert result.stdout.split() == ["False", "django_tenants.cache.make_key"]


def test_embedded_database_starts_and_is_reused(tmp_path: Path) -> None:
    # when the settings ask for the embedded database twice
    first = embedded_database_config(tmp_path)
    second = embedded_database_config(tmp_path)

    try:
        # then one server answers, with the project's database created
        assert first == second
        with psycopg.connect(host=first["HOST"], dbname=first["NAME"], user=first["USER"]) as conn:
            row = conn.execute("SELECT current_database()").fetchone()
        assert row == ("duka",)
        assert (tmp_path / ".data" / "postgres" / "PG_VERSION").exists()
    finally:
        import pgserver  # only after the module above has prepared its runtime directory

        server = pgserver.get_server(tmp_path / ".data" / "postgres")
        server.cleanup_mode = "stop"
        server.cleanup()
