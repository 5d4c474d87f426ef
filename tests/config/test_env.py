from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


@pytest.mark.parametrize(
    ("raw", "value"),
    [("", True), ("1", True), ("TRUE", True), ("yes", True), ("0", False), ("off", False)],
)
def test_read_bool_accepts_the_usual_words(raw, value):
    assert env.read_bool({"X": raw}, "X", default=True) is value


def test_read_bool_refuses_anything_else():
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_DEBUG='maybe' is not a boolean"):
        env.read_bool({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG", default=True)


def test_read_int_refuses_words_and_values_below_minimum():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT='smtp' is not a whole number"):
        env.read_int({"EMAIL_PORT": "smtp"}, "EMAIL_PORT", default=587)
    with pytest.raises(ImproperlyConfigured, match="below the minimum of 1"):
        env.read_int({"EMAIL_PORT": "0"}, "EMAIL_PORT", default=587, minimum=1)
    with pytest.raises(ImproperlyConfigured, match="B=99999999999 is above the maximum of 65535"):
        env.read_int({"B": "99999999999"}, "B", default=4096, maximum=65535)


def test_read_list_splits_on_commas_and_trims():
    assert env.read_list({"H": " a.example , b.example,, "}, "H", default=[]) == [
        "a.example",
        "b.example",
    ]
    assert env.read_list({}, "H", default=["localhost"]) == ["localhost"]


def test_read_database_defaults_to_sqlite_in_wal_mode_with_busy_timeout(tmp_path: Path):
    config = env.read_database({}, default_sqlite_path=tmp_path / "db.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in config["OPTIONS"]["init_command"]
    assert "PRAGMA busy_timeout=20000;" in config["OPTIONS"]["init_command"]
    assert config["CONN_MAX_AGE"] == 0


def test_read_database_reads_postgres_url_with_a_connection_pool(tmp_path: Path):
    config = env.read_database(
        {"DATABASE_URL": "postgres://speednet:secret@db.internal:5433/events"},
        default_sqlite_path=tmp_path / "x",
    )

    assert config["ENGINE"] == "config.postgresql"  # Django's, with restart-proof checks
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "events")
    assert (config["USER"], config["PASSWORD"]) == ("speednet", "secret")
    # the pool keeps the connections; Django refuses a pool with CONN_MAX_AGE
    assert config["CONN_MAX_AGE"] == 0
    # connections are checked before they are lent by the backend, not by the pool
    assert config["CONN_HEALTH_CHECKS"] is False
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10.0}


def test_read_database_pool_size_and_timeout_from_the_environment(tmp_path: Path):
    config = env.read_database(
        {
            "DATABASE_URL": "postgres://db.internal/events",
            "DATABASE_POOL_MIN_SIZE": "0",
            "DATABASE_POOL_MAX_SIZE": "40",
            "DATABASE_POOL_TIMEOUT": "2.5",
        },
        default_sqlite_path=tmp_path / "x",
    )

    assert config["OPTIONS"]["pool"] == {"min_size": 0, "max_size": 40, "timeout": 2.5}


def test_read_database_sets_each_session_s_timeouts_by_default(tmp_path: Path):
    """A hung statement, a lock never released or a transaction left open cannot stop a room:
    PostgreSQL gives up after these (config/capacity.py answers 503 / 4503), with or without
    the pool; and libpq gives up a server that does not accept the connection."""
    for pool in ("on", "off"):
        config = env.read_database(
            {"DATABASE_URL": "postgres://db.internal/events", "DATABASE_POOL": pool},
            default_sqlite_path=tmp_path / "x",
        )

        assert config["OPTIONS"]["options"] == (
            "-c statement_timeout=30000 -c lock_timeout=5000 "
            "-c idle_in_transaction_session_timeout=60000"
        )
        assert config["OPTIONS"]["connect_timeout"] == 5


def test_read_database_session_timeouts_from_the_environment_then_the_operator_s_own(
    tmp_path: Path,
):
    """Our settings come first, then PGOPTIONS (libpq reads it only without ``options``), then
    the URL's own ``options``: the later -c wins, so an operator's choice stands."""
    config = env.read_database(
        {
            "DATABASE_URL": "postgres://db.internal/events?options=-c%20lock_timeout%3D1500"
            "&connect_timeout=9",
            "DATABASE_STATEMENT_TIMEOUT": "120",
            "DATABASE_LOCK_TIMEOUT": "2",
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": "2147483",
            "DATABASE_CONNECT_TIMEOUT": "3",
            "PGOPTIONS": "-c search_path=speednet",
        },
        default_sqlite_path=tmp_path / "x",
    )

    assert config["OPTIONS"]["options"] == (
        "-c statement_timeout=120000 -c lock_timeout=2000 "
        "-c idle_in_transaction_session_timeout=2147483000 "
        "-c search_path=speednet -c lock_timeout=1500"
    )
    assert config["OPTIONS"]["connect_timeout"] == 9  # the URL's own


def test_read_database_session_timeouts_of_0_leave_the_server_s_own(tmp_path: Path):
    """0 sends none (a role's or database's own setting, PgBouncer's tracked parameters), and
    libpq's own PGCONNECT_TIMEOUT stands when DATABASE_CONNECT_TIMEOUT is not set."""
    config = env.read_database(
        {
            "DATABASE_URL": "postgres://db.internal/events",
            "DATABASE_STATEMENT_TIMEOUT": "0",
            "DATABASE_LOCK_TIMEOUT": "0",
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": "0",
            "PGCONNECT_TIMEOUT": "11",
        },
        default_sqlite_path=tmp_path / "x",
    )

    assert "options" not in config["OPTIONS"]
    assert "connect_timeout" not in config["OPTIONS"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"DATABASE_STATEMENT_TIMEOUT": "-1"},
            "DATABASE_STATEMENT_TIMEOUT=-1 is below the minimum",
        ),
        ({"DATABASE_LOCK_TIMEOUT": "1.5"}, "DATABASE_LOCK_TIMEOUT='1.5' is not a whole number"),
        (
            {"DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": "2147484"},
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT=2147484 is above the maximum of 2147483",
        ),
        ({"DATABASE_CONNECT_TIMEOUT": "1"}, "DATABASE_CONNECT_TIMEOUT=1 is below the minimum of 2"),
    ],
)
def test_read_database_refuses_session_timeouts_out_of_bounds(tmp_path: Path, variables, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        env.read_database(
            {"DATABASE_URL": "postgres://db.internal/events", **variables},
            default_sqlite_path=tmp_path / "x",
        )


def test_read_database_pool_can_be_turned_off(tmp_path: Path):
    config = env.read_database(
        {"DATABASE_URL": "postgres://db.internal/events", "DATABASE_POOL": "off"},
        default_sqlite_path=tmp_path / "x",
    )

    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_POOL_MAX_SIZE": "0"}, "DATABASE_POOL_MAX_SIZE=0 is below the minimum of 1"),
        ({"DATABASE_POOL_MIN_SIZE": "5", "DATABASE_POOL_MAX_SIZE": "4"}, "is above"),
        ({"DATABASE_POOL_TIMEOUT": "0"}, "DATABASE_POOL_TIMEOUT='0' must be a positive"),
        ({"DATABASE_POOL_TIMEOUT": "soon"}, "DATABASE_POOL_TIMEOUT='soon' is not a number"),
    ],
)
def test_read_database_refuses_a_bad_pool_setting(variables, message, tmp_path: Path):
    with pytest.raises(ImproperlyConfigured, match=message):
        env.read_database(
            {"DATABASE_URL": "postgres://db.internal/events", **variables},
            default_sqlite_path=tmp_path / "x",
        )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "scheme 'mysql'"),
        ("not a url", "scheme ''"),
        ("postgres://localhost", "must name the database"),
        ("postgres://u@h:notaport/x", "could not be read"),
        ("sqlite://:memory:", "must name a file"),
    ],
)
def test_read_database_refuses_malformed_urls(url, message, tmp_path: Path):
    with pytest.raises(ImproperlyConfigured, match=message):
        env.read_database({"DATABASE_URL": url}, default_sqlite_path=tmp_path / "x")


def test_read_channel_layers_defaults_to_in_memory():
    layers = env.read_channel_layers({}, prefix="sn.x")

    assert layers == {"default": {"BACKEND": "config.layers.InMemoryChannelLayer"}}


def test_read_channel_layers_uses_redis_pubsub_without_socket_timeout_under_the_prefix():
    layers = env.read_channel_layers({"REDIS_URL": "redis://127.0.0.1:6379/2"}, prefix="sn.x")

    assert layers["default"]["BACKEND"] == "config.redis_layer.RedisPubSubChannelLayer"
    assert layers["default"]["CONFIG"]["prefix"] == "sn.x:asgi"
    assert layers["default"]["CONFIG"]["hosts"] == [
        {
            "address": "redis://127.0.0.1:6379/2",
            "socket_timeout": None,
            "socket_connect_timeout": 5,
            "max_connections": 1000,
        }
    ]


def test_read_channel_layers_refuses_another_scheme():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL has the scheme 'http'"):
        env.read_channel_layers({"REDIS_URL": "http://127.0.0.1:6379"}, prefix="sn.x")


@pytest.mark.parametrize(
    ("key", "insecure"),
    [
        ("django-insecure-" + "x" * 60, True),
        ("short", True),
        ("a" * 60, True),
        ("Zq3-kP9_rT7wVx2mN8bL4cY6hJ1sD5fG0uE-oA_iK3nB7vM9pQ2tR6", False),
    ],
)
def test_is_insecure_secret_key_matches_the_deploy_check(key, insecure):
    assert env.is_insecure_secret_key(key) is insecure


def test_read_caches_uses_memory_by_default_and_redis_with_redis_url():
    assert env.read_caches({}, prefix="sn.x")["default"]["BACKEND"].endswith("LocMemCache")
    assert env.read_caches({"REDIS_URL": "redis://127.0.0.1:6379/3"}, prefix="sn.x") == {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": "sn.x:cache",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


def test_redis_timeout_bounds_the_channel_layer_and_the_cache_commands():
    variables = {"REDIS_URL": "redis://127.0.0.1:6379/3", "REDIS_TIMEOUT": "0.5"}

    layer = env.read_channel_layers(variables, prefix="sn.x")["default"]["CONFIG"]
    cache = env.read_caches(variables, prefix="sn.x")["default"]["OPTIONS"]
    default = env.read_channel_layers({"REDIS_URL": variables["REDIS_URL"]}, prefix="sn.x")

    assert (layer["timeout_s"], cache["socket_timeout"]) == (0.5, 0.5)
    assert layer["hosts"][0]["socket_timeout"] is None  # the listener waits for messages
    assert default["default"]["CONFIG"]["timeout_s"] == 2.0


@pytest.mark.parametrize("raw", ["0", "-1", "soon"])
def test_redis_timeout_refuses_anything_but_a_positive_number_of_seconds(raw):
    with pytest.raises(ImproperlyConfigured, match=f"REDIS_TIMEOUT={raw!r}"):
        env.read_channel_layers({"REDIS_URL": "redis://h:6379/0", "REDIS_TIMEOUT": raw}, prefix="x")


def test_read_redis_prefix_is_the_setting_when_given():
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "events"}

    assert env.read_redis_prefix({"SPEEDNET_REDIS_PREFIX": "venue-a"}, database=database) == (
        "venue-a"
    )


@pytest.mark.parametrize("raw", ["has space", "a" * 41, "a:b", "ünï"])
def test_read_redis_prefix_refuses_anything_but_a_short_plain_name(raw):
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "events"}

    with pytest.raises(ImproperlyConfigured, match="SPEEDNET_REDIS_PREFIX="):
        env.read_redis_prefix({"SPEEDNET_REDIS_PREFIX": raw}, database=database)


def test_read_redis_prefix_default_differs_per_database(tmp_path: Path):
    def prefix(url: str) -> str:
        database = env.read_database({"DATABASE_URL": url}, default_sqlite_path=tmp_path / "x")
        return env.read_redis_prefix({}, database=database)

    first = prefix("postgres://db.internal/speednet")
    assert first == prefix("postgres://other-user@db.internal/speednet")  # the same database
    assert first.startswith("sn.speednet.")
    assert env.REDIS_PREFIX_PATTERN.fullmatch(first)
    others = {
        prefix("postgres://db.internal/speednet_staging"),
        prefix("postgres://db2.internal/speednet"),
        prefix(f"sqlite:///{tmp_path}/a/speednet.sqlite3"),
        prefix(f"sqlite:///{tmp_path}/b/speednet.sqlite3"),
    }
    assert len(others) == 4
    assert first not in others


def test_read_healthz_parts_defaults_to_all_and_refuses_unknown_names():
    assert env.read_healthz_parts({}) == ["database", "channel_layer", "cache"]
    assert env.read_healthz_parts({"SPEEDNET_HEALTHZ_REQUIRES": "database"}) == ["database"]
    with pytest.raises(ImproperlyConfigured, match="names redis"):
        env.read_healthz_parts({"SPEEDNET_HEALTHZ_REQUIRES": "database,redis"})


def test_read_site_url_is_none_when_unset_or_blank():
    assert env.read_site_url({}) is None
    assert env.read_site_url({"SPEEDNET_SITE_URL": "  ", "SITE_URL": ""}) is None


def test_read_site_url_prefers_speednet_site_url_and_drops_the_trailing_slash():
    raw = {"SPEEDNET_SITE_URL": "https://speednet.example.com/", "SITE_URL": "http://other"}

    assert env.read_site_url(raw) == "https://speednet.example.com"
    assert env.read_site_url({"SITE_URL": " http://host:8080/app/ "}) == "http://host:8080/app"


@pytest.mark.parametrize(
    "raw",
    [
        "speednet.example.com",
        "ftp://speednet.example.com",
        "https://",
        "https://host:port",
        "https://host/?x=1",
        "https://user:pw@host",
    ],
)
def test_read_site_url_refuses_anything_but_an_http_url_naming_the_variable(raw):
    with pytest.raises(ImproperlyConfigured, match=r"^SITE_URL="):
        env.read_site_url({"SITE_URL": raw})
