"""The settings module as a whole, loaded in a fresh interpreter with a given environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "Zq3-kP9_rT7wVx2mN8bL4cY6hJ1sD5fG0uE-oA_iK3nB7vM9pQ2tR6"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "speednet.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SPEEDNET_SITE_URL": "https://speednet.example.com",
}
MAIL = {
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "speednet <noreply@events.example.com>",
    "SPEEDNET_SITE_URL": "https://speednet.example.com",
}
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
    "s.EMAIL_BACKEND)"
)


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "SPEEDNET_"))
    }
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_defaults_run_debug_on_sqlite_in_memory_layer_console_email():
    result = run_python(["-c", PRINT_SETTINGS], {})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "config.layers.InMemoryChannelLayer",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_settings_production_environment_switches_every_part():
    result = run_python(
        ["-c", PRINT_SETTINGS],
        {**PRODUCTION, **MAIL, "DATABASE_URL": "postgres://u@db/x"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "config.postgresql",
        "config.redis_layer.RedisPubSubChannelLayer",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is missing or weak"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "k" * 50}, "missing or weak"),
        ({"REDIS_URL": ""}, "REDIS_URL is not set"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS is empty"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "postgres//broken"}, "DATABASE_URL has the scheme ''"),
        ({"SPEEDNET_SITE_URL": ""}, "DJANGO_DEBUG is off but SPEEDNET_SITE_URL is not set"),
        # a listen queue the kernel cannot take: daphne said only "signed integer is greater
        # than maximum", naming no variable
        ({"SPEEDNET_LISTEN_BACKLOG": "99999999999"}, "SPEEDNET_LISTEN_BACKLOG=99999999999 is abo"),
    ],
)
def test_settings_refuse_to_start_with_insecure_or_malformed_values(env, message):
    result = run_python(["-c", PRINT_SETTINGS], {**PRODUCTION, **env})

    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_settings_production_passes_check_deploy_without_warnings():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_refuse_a_site_url_that_is_not_http():
    result = run_python(
        ["-c", "import django; django.setup()"], {"SPEEDNET_SITE_URL": "speednet.example.com"}
    )

    assert result.returncode != 0
    assert "SPEEDNET_SITE_URL='speednet.example.com' must be an http(s) URL" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEFAULT_FROM_EMAIL": ""}, "but DEFAULT_FROM_EMAIL is missing"),
        ({"DEFAULT_FROM_EMAIL": "speednet <noreply@localhost>"}, "DEFAULT_FROM_EMAIL="),
        ({"SPEEDNET_SITE_URL": ""}, "SPEEDNET_SITE_URL is not set"),
        ({"SPEEDNET_SITE_URL": "http://127.0.0.1:8000"}, "points at this machine"),
    ],
)
def test_settings_production_mail_refuses_a_local_sender_or_site_url(env, message):
    result = run_python(["-c", PRINT_SETTINGS], {**PRODUCTION, **MAIL, **env})

    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_settings_production_without_email_host_needs_no_mail_settings_and_sends_none():
    """No mail server in production: it starts, and mail is off (not printed and counted as
    sent, config/mail.py)."""
    result = run_python(["-c", PRINT_SETTINGS], PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "config.mail.MailOffBackend"


PRINT_ADDRESS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SITE_URL); print(' '.join(s.ALLOWED_HOSTS)); print(' '.join(s.CSRF_TRUSTED_ORIGINS))"
)


def test_settings_development_on_every_interface_uses_and_allows_the_lan_address():
    from config import network

    lan = network.detect().lan_address
    result = run_python(
        ["-c", PRINT_ADDRESS], {"SPEEDNET_BIND": "0.0.0.0", "SPEEDNET_PORT": "8123"}
    )

    assert result.returncode == 0, result.stderr
    site_url, hosts, _origins = result.stdout.splitlines()
    assert site_url == f"http://{lan or '127.0.0.1'}:8123"
    assert (lan or "127.0.0.1") in hosts.split()


def test_settings_development_defaults_to_loopback_and_allows_the_configured_host():
    result = run_python(["-c", PRINT_ADDRESS], {"SPEEDNET_SITE_URL": "http://speednet.test:8000"})
    default = run_python(["-c", PRINT_ADDRESS], {})

    assert result.stdout.splitlines()[0] == "http://speednet.test:8000"
    assert "speednet.test" in result.stdout.splitlines()[1].split()
    assert result.stdout.splitlines()[2] == "http://speednet.test:8000"
    assert default.stdout.splitlines()[0] == "http://127.0.0.1:8000"


PRINT_COOP = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_CROSS_ORIGIN_OPENER_POLICY)"
)


def test_settings_send_no_opener_policy_over_plain_http_in_development_only():
    lan = run_python(["-c", PRINT_COOP], {"SPEEDNET_BIND": "0.0.0.0"})
    production = run_python(["-c", PRINT_COOP], PRODUCTION)

    assert lan.stdout.strip() == "None"
    assert production.stdout.strip() == "same-origin"


PRINT_CAPACITY = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SPEEDNET_HTTP_CONCURRENCY, s.SPEEDNET_HTTP_QUEUE_TIMEOUT, "
    "s.DATABASES['default'].get('OPTIONS', {}).get('pool', {}).get('max_size'))"
)


@pytest.mark.parametrize(
    ("variables", "printed"),
    [
        ({}, ["8", "30.0", "None"]),
        ({"DATABASE_URL": "postgres://db.internal/events"}, ["8", "30.0", "10"]),
        (
            {"DATABASE_URL": "postgres://db.internal/events", "DATABASE_POOL_MAX_SIZE": "2"},
            ["1", "30.0", "2"],
        ),
        (
            {"DATABASE_URL": "postgres://db.internal/events", "SPEEDNET_HTTP_CONCURRENCY": "30"},
            ["30", "30.0", "10"],
        ),
    ],
)
def test_settings_http_concurrency_leaves_two_pool_connections_to_the_sockets(variables, printed):
    result = run_python(["-c", PRINT_CAPACITY], variables)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == printed


PRINT_VENUE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.CHANNEL_LAYERS['default']['BACKEND'], s.SECURE_SSL_REDIRECT, "
    "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.EMAIL_BACKEND, "
    "s.WHITENOISE_USE_FINDERS, s.STATIC_ROOT, s.SECURE_CONTENT_TYPE_NOSNIFF, "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
)


def venue(tmp_path: Path, **variables: str) -> dict[str, str]:
    """What serve_venue gives daphne, on a database of the test's own."""
    return {
        "SPEEDNET_VENUE": "1",
        "SPEEDNET_BIND": "0.0.0.0",
        "SPEEDNET_PORT": "8123",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'venue.sqlite3'}",
        **variables,
    }


def test_settings_venue_mode_is_debug_off_on_plain_http_with_the_in_memory_layer(tmp_path):
    result = run_python(["-c", PRINT_VENUE], venue(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "config.layers.InMemoryChannelLayer",
        "False",
        "0",
        "False",
        "False",
        "config.mail.MailOffBackend",
        "True",
        "None",
        "True",
        "[\"'self'\"]",
    ]


PRINT_KEY = (
    "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
)


def test_settings_venue_mode_keeps_a_generated_key_beside_the_database_owner_only(tmp_path):
    first = run_python(["-c", PRINT_KEY], venue(tmp_path))
    second = run_python(["-c", PRINT_KEY], venue(tmp_path))

    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "venue.sqlite3.secret_key"
    key = key_file.read_text().strip()
    assert first.stdout.strip() == key
    assert second.stdout.strip() == key
    assert len(key) >= 50
    assert not key.startswith("django-insecure-")
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_settings_venue_mode_uses_the_secret_key_when_set_and_writes_no_file(tmp_path):
    result = run_python(["-c", PRINT_KEY], venue(tmp_path, DJANGO_SECRET_KEY=STRONG_KEY))

    assert result.stdout.strip() == STRONG_KEY
    assert not (tmp_path / "venue.sqlite3.secret_key").exists()


def test_settings_venue_mode_refuses_a_weak_secret_key(tmp_path):
    result = run_python(["-c", PRINT_KEY], venue(tmp_path, DJANGO_SECRET_KEY="short"))

    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is missing or weak" in result.stderr


def test_settings_venue_mode_serves_and_allows_the_lan_address(tmp_path):
    from config import network

    lan = network.detect().lan_address or "127.0.0.1"
    result = run_python(["-c", PRINT_ADDRESS], venue(tmp_path))

    assert result.returncode == 0, result.stderr
    site_url, hosts, origins = result.stdout.splitlines()
    assert site_url == f"http://{lan}:8123"
    assert {"localhost", "127.0.0.1", lan} <= set(hosts.split())
    assert f"http://{lan}:8123" in origins.split()


def test_settings_venue_mode_refuses_debug_on(tmp_path):
    result = run_python(["-c", PRINT_VENUE], venue(tmp_path, DJANGO_DEBUG="true"))

    assert result.returncode == 1
    assert "SPEEDNET_VENUE is on (make venue) but DJANGO_DEBUG is true" in result.stderr


@pytest.mark.parametrize("variables", [{}, {"SPEEDNET_VENUE": "0"}])
def test_settings_outside_venue_mode_debug_off_still_refuses_the_in_memory_layer(variables):
    result = run_python(["-c", PRINT_SETTINGS], {**PRODUCTION, "REDIS_URL": "", **variables})

    assert result.returncode == 1
    assert "REDIS_URL is not set" in result.stderr
    assert "SPEEDNET_VENUE=1" in result.stderr


def tls_proxy_recipe() -> tuple[dict[str, str], list[str]]:
    """The command docs/deployment.md gives for the laptop behind a TLS proxy: its variables
    and its arguments (the last line of the bullet's shell block, continued lines joined)."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    bullet = text.split("*The laptop behind a TLS proxy*", 1)[1].split("\n## ", 1)[0]
    block = bullet.split("```sh", 1)[1].split("```", 1)[0]
    words = block.replace("\\\n", " ").strip().splitlines()[-1].split()
    variables = {}
    while "=" in words[0]:  # NAME=value before the command
        name, value = words.pop(0).split("=", 1)
        variables[name] = value
    return variables, words


def test_settings_the_documented_tls_proxy_recipe_serves_venue_mode_at_the_https_address(
    tmp_path,
):
    """The laptop behind a TLS proxy serves the room in venue mode (DEBUG off: no traceback for
    any phone), on its loopback address only, answering to the public https address."""
    variables, command = tls_proxy_recipe()
    bind = command[command.index("--bind") + 1]
    port = command[command.index("--port") + 1]

    result = run_python(
        ["-c", PRINT_ADDRESS + "; print(s.DEBUG)"],
        venue(tmp_path, SPEEDNET_BIND=bind, SPEEDNET_PORT=port, **variables),
    )

    assert command[:3] == [".venv/bin/python", "manage.py", "serve_venue"]
    assert bind == "127.0.0.1"
    assert result.returncode == 0, result.stderr
    site_url, hosts, origins, debug = result.stdout.splitlines()
    assert site_url == "https://venue.example.com"
    assert "venue.example.com" in hosts.split()
    assert "https://venue.example.com" in origins.split()
    assert debug == "False"
    assert variables["SPEEDNET_TRUSTED_PROXIES"] == "1"  # the proxy's X-Forwarded-For counts
