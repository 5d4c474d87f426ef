"""Reading settings from environment variables: strict parsing, clear errors.

Every reader takes the environment mapping explicitly so it can be tested without touching
``os.environ``. A value that cannot be read is an ``ImproperlyConfigured`` naming the variable,
never a silent guess.
"""

from __future__ import annotations

import hashlib
import re
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
# psycopg's pool per process: a couple of connections kept open, at most DATABASE_POOL_MAX_SIZE;
# a request waits DATABASE_POOL_TIMEOUT seconds for one, then gets a 503 (config/capacity.py).
POOL_MIN_SIZE = 2
POOL_MAX_SIZE = 10
POOL_TIMEOUT_S = 10
# What one PostgreSQL session may wait or hold, set on every connection (session_timeouts): a
# statement that runs this long is cancelled; a lock waited for this long is given up (every
# phone of a process shares one database thread, so a wait there holds them all up); a
# transaction left idle this long is ended by the server, its locks freed. Then the request gets
# a 503 with Retry-After and a phone's socket a 4503 (config/capacity.py): a hung query or a
# forgotten lock costs a retry, never a room that stops.
STATEMENT_TIMEOUT_S = 30
LOCK_TIMEOUT_S = 5
IDLE_IN_TRANSACTION_TIMEOUT_S = 60
# libpq's connect_timeout (2 s at least): a server that accepts no connection is given up.
CONNECT_TIMEOUT_S = 5
# PostgreSQL's limit for these settings: 2,147,483,647 ms.
MAX_SESSION_TIMEOUT_S = 2_147_483
# How long the server waits for Redis to answer a command (the channel layer's subscribe, publish
# and unsubscribe; the cache's reads and writes) before it counts as unreachable (REDIS_TIMEOUT).
REDIS_TIMEOUT_S = 2.0
# Redis keys and pub/sub channels of one deployment start with this (letters, digits, . _ -).
REDIS_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,40}")


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


def read_int(
    env: Mapping[str, str],
    name: str,
    *,
    default: int,
    minimum: int = 0,
    maximum: int | None = None,
) -> int:
    """A whole number from ``env[name]`` (``default`` when unset or blank), within
    ``minimum``..``maximum``; ``ImproperlyConfigured`` naming the variable otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
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
    return postgres_database(env, config)


def postgres_database(env: Mapping[str, str], config: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL through psycopg's connection pool (Django's ``"pool"`` option), unless
    ``DATABASE_POOL=off``.

    Under ASGI every HTTP request runs on a thread of its own, so a connection kept per thread
    (``CONN_MAX_AGE``) would be left behind with the thread; the pool is the persistent
    connection here: a request borrows one and gives it back at its end. The two are exclusive
    in Django, so ``CONN_MAX_AGE`` stays 0. A connection is checked before it is lent
    by the backend (``config.postgresql``: Django's PostgreSQL backend, whose own check,
    ``CONN_HEALTH_CHECKS``, made a request wait out psycopg_pool's backoff once per dead
    connection after a restart), so a restarted server costs no request an error.
    """
    config["CONN_MAX_AGE"] = 0
    options = config.setdefault("OPTIONS", {})
    options["options"] = session_timeouts(env, then=options.get("options", ""))
    if not options["options"]:
        del options["options"]
    # The URL's own connect_timeout first, then DATABASE_CONNECT_TIMEOUT, then libpq's own
    # PGCONNECT_TIMEOUT (read by libpq itself when none is given), then CONNECT_TIMEOUT_S.
    if (
        env.get("DATABASE_CONNECT_TIMEOUT", "").strip()
        or not env.get("PGCONNECT_TIMEOUT", "").strip()
    ):
        options.setdefault(
            "connect_timeout",
            read_int(env, "DATABASE_CONNECT_TIMEOUT", default=CONNECT_TIMEOUT_S, minimum=2),
        )
    if not read_bool(env, "DATABASE_POOL", default=True):
        return config
    min_size = read_int(env, "DATABASE_POOL_MIN_SIZE", default=POOL_MIN_SIZE, minimum=0)
    max_size = read_int(env, "DATABASE_POOL_MAX_SIZE", default=POOL_MAX_SIZE, minimum=1)
    if min_size > max_size:
        raise ImproperlyConfigured(
            f"DATABASE_POOL_MIN_SIZE={min_size} is above DATABASE_POOL_MAX_SIZE={max_size}."
        )
    config["ENGINE"] = "config.postgresql"
    config["CONN_HEALTH_CHECKS"] = False  # checked by the backend, not by the pool
    config.setdefault("OPTIONS", {})["pool"] = {
        "min_size": min_size,
        "max_size": max_size,
        "timeout": read_float(env, "DATABASE_POOL_TIMEOUT", default=POOL_TIMEOUT_S),
    }
    return config


def session_timeouts(env: Mapping[str, str], *, then: str = "") -> str:
    """libpq's ``options`` for every PostgreSQL connection: ``-c statement_timeout=…`` (ms),
    ``-c lock_timeout=…`` and ``-c idle_in_transaction_session_timeout=…`` from
    ``DATABASE_STATEMENT_TIMEOUT``, ``DATABASE_LOCK_TIMEOUT`` and
    ``DATABASE_IDLE_IN_TRANSACTION_TIMEOUT`` (whole seconds, up to ``MAX_SESSION_TIMEOUT_S``;
    0 sends none, leaving the server's, the role's or the database's own; defaults
    ``STATEMENT_TIMEOUT_S``, ``LOCK_TIMEOUT_S``, ``IDLE_IN_TRANSACTION_TIMEOUT_S``),
    followed by the environment's ``PGOPTIONS`` (which libpq reads only when no ``options`` is
    given) and ``then``, the ``options`` of ``DATABASE_URL``: the later ``-c`` of a setting wins,
    so an operator's own choice stands. ``ImproperlyConfigured`` names a variable out of bounds."""
    timeouts = [
        ("statement_timeout", "DATABASE_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT_S),
        ("lock_timeout", "DATABASE_LOCK_TIMEOUT", LOCK_TIMEOUT_S),
        (
            "idle_in_transaction_session_timeout",
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT",
            IDLE_IN_TRANSACTION_TIMEOUT_S,
        ),
    ]
    parts = []
    for setting, name, default in timeouts:
        seconds = read_int(env, name, default=default, minimum=0, maximum=MAX_SESSION_TIMEOUT_S)
        if seconds:  # 0: none sent, the server's own (ALTER ROLE / DATABASE) applies
            parts.append(f"-c {setting}={1000 * seconds}")
    parts += [extra.strip() for extra in (env.get("PGOPTIONS", ""), then) if extra.strip()]
    return " ".join(parts)


def read_float(env: Mapping[str, str], name: str, *, default: float) -> float:
    """A positive number of seconds."""
    raw = env.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if not value > 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name}={raw!r} must be a positive number of seconds.")
    return value


def read_redis_prefix(env: Mapping[str, str], *, database: Mapping[str, Any]) -> str:
    """What every Redis key and pub/sub channel of this deployment starts with.

    Pub/sub ignores Redis's database numbers, so two deployments on one Redis server are kept
    apart only by their names. ``SPEEDNET_REDIS_PREFIX`` sets it; by default it is derived from
    the database the deployment uses (its name and a hash of where it lives), so two
    deployments with their own databases never share one.
    """
    raw = env.get("SPEEDNET_REDIS_PREFIX", "").strip()
    if raw:
        if not REDIS_PREFIX_PATTERN.fullmatch(raw):
            raise ImproperlyConfigured(
                f"SPEEDNET_REDIS_PREFIX={raw!r} must be 1 to 40 letters, digits, '.', '_' or '-'."
            )
        return raw
    if database["ENGINE"].endswith("sqlite3"):
        place = str(Path(database["NAME"]).resolve())
        name = Path(database["NAME"]).stem
    else:
        place = f"{database.get('HOST') or ''}:{database.get('PORT') or ''}/{database['NAME']}"
        name = str(database["NAME"])
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", name)[:20].strip("-") or "db"
    digest = hashlib.sha256(place.encode()).hexdigest()[:10]
    return f"sn.{readable}.{digest}"


def read_channel_layers(env: Mapping[str, str], *, prefix: str) -> dict[str, Any]:
    """The in-memory layer for one process; Redis pub/sub when ``REDIS_URL`` is set, its
    channels named under the deployment's ``prefix`` (channels_redis's layer with its commands
    coalesced, ``config.redis_layer``).

    redis-py 8 gives pools a 5 s socket timeout and 100 connections, which break long-lived
    subscribers under load, so both are set here explicitly: no socket timeout (the listening
    connection waits for messages indefinitely); instead each subscribe, unsubscribe and publish
    gives up after ``REDIS_TIMEOUT`` seconds (``REDIS_TIMEOUT_S`` by default), raising redis-py's
    ``TimeoutError``, so a Redis that hangs cannot hold a socket or a request.
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
            "BACKEND": "config.redis_layer.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [host],
                "prefix": f"{prefix}:asgi",
                "timeout_s": read_float(env, "REDIS_TIMEOUT", default=REDIS_TIMEOUT_S),
            },
        }
    }


HEALTHZ_PARTS = ("database", "channel_layer", "cache")


def read_healthz_parts(env: Mapping[str, str]) -> list[str]:
    """``SPEEDNET_HEALTHZ_REQUIRES``: the parts whose failure makes ``/healthz`` answer 503
    (all three by default); the others are still reported."""
    parts = read_list(env, "SPEEDNET_HEALTHZ_REQUIRES", default=list(HEALTHZ_PARTS))
    unknown = [part for part in parts if part not in HEALTHZ_PARTS]
    if unknown:
        raise ImproperlyConfigured(
            f"SPEEDNET_HEALTHZ_REQUIRES names {', '.join(unknown)}: use some of "
            f"{', '.join(HEALTHZ_PARTS)}."
        )
    return parts


def is_insecure_secret_key(key: str) -> bool:
    """The same test as Django's deploy check (security.W009)."""
    return key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5


def read_caches(env: Mapping[str, str], *, prefix: str) -> dict[str, Any]:
    """Per-process memory by default; Redis (shared by every process) when ``REDIS_URL`` is
    set, so that limits such as the join page's rate limit hold across processes. Its keys
    start with the deployment's ``prefix``; an unreachable Redis is a miss, not an error
    (config/cache.py): a connection is given up after a second, a command after
    ``REDIS_TIMEOUT`` seconds."""
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"{prefix}:cache",
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": read_float(env, "REDIS_TIMEOUT", default=REDIS_TIMEOUT_S),
            },
        }
    }
