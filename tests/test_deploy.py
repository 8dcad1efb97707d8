"""Deployment: production settings pass `check --deploy`, static files need no CDN, and the
compose file describes the five services."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
# The five long-running services, and the optional one-shot `seed` (profile "seed").
COMPOSE_SERVICES = {"postgres", "redis", "web", "worker", "beat", "seed"}
PRODUCTION_SETTINGS = "salesopt.settings.production"
# Only what a Python process needs from this one: anything else the suite has set (for
# example DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, DEBUG) would change the checks.
_INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def _production_environment(**variables: str) -> dict[str, str]:
    inherited = {name: os.environ[name] for name in _INHERITED_VARIABLES if name in os.environ}
    return {**inherited, "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS, **variables}


def _manage(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _random_secret_key() -> str:
    return secrets.token_urlsafe(45)  # 60 characters


def test_check_deploy_with_production_settings_reports_no_issue():
    environment = _production_environment(
        SECRET_KEY=_random_secret_key(), ALLOWED_HOSTS="salesopt.example.com"
    )

    result = _manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in result.stdout
    assert "WARNINGS" not in output


@pytest.mark.parametrize(
    ("missing", "variables"),
    [
        ("SECRET_KEY", {"ALLOWED_HOSTS": "salesopt.example.com"}),
        ("ALLOWED_HOSTS", {"SECRET_KEY": _random_secret_key()}),
    ],
)
def test_production_settings_refuse_to_start_without(missing, variables):
    result = _manage("check", environment=_production_environment(**variables))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_settings_refuse_a_short_secret_key():
    environment = _production_environment(SECRET_KEY="short", ALLOWED_HOSTS="salesopt.example.com")

    result = _manage("check", environment=environment)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_models_have_no_missing_migration():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_plotly_js_is_one_of_our_static_files():
    found = finders.find("vendor/plotly.min.js")

    assert found
    assert Path(found).stat().st_size > 1_000_000


def test_htmx_is_one_of_our_static_files():
    found = finders.find("django_htmx/htmx-2.min.js")

    assert found
    assert Path(found).is_file()


def test_collectstatic_copies_plotly_js(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path

    call_command("collectstatic", interactive=False, verbosity=0)

    assert (tmp_path / "vendor" / "plotly.min.js").stat().st_size > 1_000_000


def test_collectstatic_with_the_production_storage_hashes_and_compresses(settings, tmp_path):
    """What the Docker build runs: the manifest storage fails on any broken reference."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    assert list((tmp_path / "vendor").glob("plotly.min.*.js.gz"))
    assert (tmp_path / "staticfiles.json").is_file()


def test_compose_file_parses_and_names_its_services():
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")

    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))

    assert set(compose["services"]) == COMPOSE_SERVICES
    assert compose["services"]["seed"]["profiles"] == ["seed"]


def test_compose_file_names_its_services_without_yaml():
    """Without PyYAML: the keys indented once under the top-level `services:`."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    services_block = re.search(r"^services:\n(.*?)(?=^\S)", text, flags=re.MULTILINE | re.DOTALL)

    assert services_block
    names = set(re.findall(r"^  ([a-z][\w-]*):", services_block.group(1), flags=re.MULTILINE))
    assert names == COMPOSE_SERVICES


def test_compose_app_services_run_production_settings():
    text = COMPOSE_FILE.read_text(encoding="utf-8")

    assert "DJANGO_SETTINGS_MODULE: salesopt.settings.production" in text
    assert "${SECRET_KEY:?" in text
    assert "${ALLOWED_HOSTS:?" in text
    assert text.count("condition: service_healthy") >= 5


@pytest.mark.django_db
def test_login_page_loads_no_script_from_another_host(client):
    response = client.get("/accounts/login/")

    page = response.content.decode()
    assert response.status_code == 200
    script_sources = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)
    assert script_sources
    assert [source for source in script_sources if re.match(r"(https?:)?//", source)] == []


@pytest.mark.django_db
def test_plotly_js_is_served_hashed_compressed_and_cached_for_a_year(settings, tmp_path, manager):
    """As in production: the manifest storage's hashed name, WhiteNoise's gzip, a year's cache."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new handler: WhiteNoise reads the collected files when it starts
    client.force_login(manager)

    page = client.get("/").content.decode()
    plotly_url = re.search(r'data-plotly="([^"]+)"', page).group(1)
    response = client.get(plotly_url, headers={"Accept-Encoding": "gzip"})

    assert re.fullmatch(r"/static/vendor/plotly\.min\.[0-9a-f]{12}\.js", plotly_url)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/imports/", "/plan/"])
def test_pages_without_a_chart_load_no_plotly(client, admin_user, url):
    client.force_login(admin_user)

    page = client.get(url).content.decode()

    assert "plotly.min" not in " ".join(re.findall(r"<script[^>]*\bsrc=[\"'][^\"']+", page))
    assert "data-plotly-for" not in page
