"""Reading settings from environment variables: strict parsing, clear errors.

Every reader takes the environment mapping explicitly so it can be tested without touching
``os.environ``. A value that cannot be read is an ``ImproperlyConfigured`` naming the variable,
never a silent guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
DATABASE_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "sqlite"})
SQLITE_BUSY_TIMEOUT_S = 20


def read_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={env[name]!r} is not a boolean: use one of "
        f"{', '.join(sorted(TRUE_WORDS))} or {', '.join(sorted(FALSE_WORDS))}."
    )


def read_int(env: Mapping[str, str], name: str, *, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


SITE_URL_NAMES = ("SPEEDNET_SITE_URL", "SITE_URL")


def read_site_url(env: Mapping[str, str]) -> str | None:
    """The public address set by the operator: ``SPEEDNET_SITE_URL``, else ``SITE_URL``; an
    http(s) origin, optionally with a path prefix, without a trailing slash. None when neither
    is set (``config.site`` then decides)."""
    for name in SITE_URL_NAMES:
        raw = env.get(name, "").strip()
        if raw:
            break
    else:
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 -- reading it validates the port
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a URL: {error}.") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}={raw!r} must be an http(s) URL with a host, e.g. https://speednet.example.com"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ImproperlyConfigured(
            f"{name}={raw!r} must not carry a query, fragment or credentials."
        )
    return raw.rstrip("/")


def read_list(env: Mapping[str, str], name: str, *, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite tuned for a room of phones writing at once.

    WAL lets readers run beside the writer, IMMEDIATE transactions make writers queue on the busy
    timeout instead of failing with "database is locked" when they upgrade a read lock.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000};"
            ),
        },
    }


def read_database(env: Mapping[str, str], *, default_sqlite_path: Path) -> dict[str, Any]:
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return sqlite_database(default_sqlite_path)
    scheme = urlsplit(url).scheme
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL has the scheme {scheme!r}; speednet runs on PostgreSQL "
            "(postgres://user:password@host:5432/name) or SQLite (sqlite:////absolute/path.db)."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {error}") from None
    if scheme == "sqlite":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ImproperlyConfigured("DATABASE_URL for SQLite must name a file.")
        return sqlite_database(Path(config["NAME"]))
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name the database, e.g. .../speednet.")
    return config


def read_channel_layers(env: Mapping[str, str]) -> dict[str, Any]:
    """The in-memory layer for one process; Redis pub/sub when ``REDIS_URL`` is set.

    redis-py 8 gives pools a 5 s socket timeout and 100 connections, which break long-lived
    subscribers under load, so both are set here explicitly.
    """
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": "config.layers.InMemoryChannelLayer"}}
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL has the scheme {scheme!r}; expected redis://host:6379/0 or rediss://."
        )
    host = {
        "address": url,
        "socket_timeout": None,
        "socket_connect_timeout": 5,
        "max_connections": read_int(env, "REDIS_MAX_CONNECTIONS", default=1000, minimum=10),
    }
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [host]},
        }
    }


def is_insecure_secret_key(key: str) -> bool:
    """The same test as Django's deploy check (security.W009)."""
    return key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5


def read_caches(env: Mapping[str, str]) -> dict[str, Any]:
    """Per-process memory by default; Redis (shared by every process) when ``REDIS_URL`` is
    set, so that limits such as the join page's rate limit hold across processes."""
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "speednet",
        }
    }
