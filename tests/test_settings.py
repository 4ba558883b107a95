"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis

from saas_platform.embedded_db import embedded_database_config, stop_embedded_database
from saas_platform.embedded_redis import embedded_redis_url, stop_embedded_redis

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


def test_with_redis_the_cache_keys_are_tenant_prefixed() -> None:
    result = run_settings(
        "c = s.CACHES['default']; print(s.CELERY_BROKER_URL, c['KEY_FUNCTION'])",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert result.stdout.split() == ["redis://127.0.0.1:6379/0", "django_tenants.cache.make_key"]


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
        # and ``make stop`` stops it
        assert stop_embedded_database(tmp_path) is True
    assert stop_embedded_database(tmp_path) is False
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=first["HOST"], dbname=first["NAME"], user=first["USER"]).close()


def _url_from_a_new_process(base_dir: Path) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c",
         "import sys; from pathlib import Path; "
         "from saas_platform.embedded_redis import embedded_redis_url; "
         "print(embedded_redis_url(Path(sys.argv[1])))", str(base_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_embedded_redis_is_started_once_for_processes_starting_together(tmp_path: Path) -> None:
    # when four processes ask for the embedded Redis at the same moment (as xdist workers do)
    with ThreadPoolExecutor(4) as pool:
        urls = set(pool.map(_url_from_a_new_process, [tmp_path] * 4))

    try:
        # then all of them got the one server, which needs its password
        assert len(urls) == 1
        url = urls.pop()
        assert redis.Redis.from_url(url).incr("counter") == 1
        without_password = re.sub(r"//:[^@]+@", "//", url)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(without_password).incr("counter")
        assert embedded_redis_url(tmp_path) == url
    finally:
        assert stop_embedded_redis(tmp_path) is True
    assert stop_embedded_redis(tmp_path) is False
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()


def test_embedded_redis_keeps_its_data_across_a_restart(tmp_path: Path) -> None:
    # given a task queued on the embedded broker when the machine is stopped
    url = embedded_redis_url(tmp_path)
    redis.Redis.from_url(url).lpush("default", "a queued task")
    stop_embedded_redis(tmp_path)

    # when it starts again (on whatever free port)
    again = embedded_redis_url(tmp_path)
    try:
        # then the task is still queued
        assert redis.Redis.from_url(again).lrange("default", 0, -1) == [b"a queued task"]
    finally:
        stop_embedded_redis(tmp_path)
