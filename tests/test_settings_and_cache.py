import os
import subprocess
import sys

from django.core.cache import cache
from django_tenants.utils import tenant_context

from tests.conftest import PROJECT_DIR


def test_cache_entries_are_per_tenant(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        cache.set("dashboard:counts", {"leads": 42}, 30)
        assert cache.get("dashboard:counts") == {"leads": 42}
    with tenant_context(cast_b.tenant):
        assert cache.get("dashboard:counts") is None
    with tenant_context(cast_a.tenant):
        cache.delete("dashboard:counts")


def _load_production_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    clean.update(DJANGO_SETTINGS_MODULE="leadcrm.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_production_settings(ALLOWED_HOSTS=".example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = _load_production_settings(SECRET_KEY="short", ALLOWED_HOSTS=".example.com")
    assert result.returncode != 0
    assert "long random value" in result.stderr


def test_settings_parse_strictly():
    env = {"SECRET_KEY": "x" * 60 + "abcdefgh", "ALLOWED_HOSTS": ".example.com", "DEBUG": "maybe"}
    clean = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "leadcrm.settings.dev"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_links_from_jobs_use_the_tenants_origin(cast_a, settings):
    from leadcrm.origin import tenant_origin

    settings.LEADCRM_URL_SCHEME, settings.LEADCRM_URL_PORT = "http", 8000
    with tenant_context(cast_a.tenant):
        assert tenant_origin() == "http://alpha.localhost:8000"
    settings.LEADCRM_URL_SCHEME, settings.LEADCRM_URL_PORT = "https", 0
    with tenant_context(cast_a.tenant):
        assert tenant_origin() == "https://alpha.localhost"
