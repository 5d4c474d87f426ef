"""Venue mode: the one-laptop evening (``make venue``), served like production over plain HTTP.

``manage.py serve_venue`` starts daphne with ``SPEEDNET_VENUE=1``. The server then runs with
DEBUG off (no traceback, URL list or kept SQL for anyone on the Wi-Fi) but with what one laptop
on a LAN needs and a production server would refuse: SQLite and the in-memory channel layer
(one daphne process), plain HTTP (no SSL redirect, HSTS or Secure-only cookies), the laptop's
addresses as allowed hosts and public address, and a secret key of its own that survives a
restart, kept in a file beside the SQLite database.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config import env as config_env

VENUE_VARIABLE = "SPEEDNET_VENUE"
SECRET_KEY_SUFFIX = ".secret_key"
# With PostgreSQL (no database file to sit beside), in the project's directory.
SERVER_SECRET_KEY_NAME = "venue" + SECRET_KEY_SUFFIX


def read_mode(env: Mapping[str, str]) -> tuple[bool, bool]:
    """``(debug, venue)``: ``DJANGO_DEBUG`` (on by default, off by default in venue mode) and
    ``SPEEDNET_VENUE``. Venue mode with DEBUG asked for is refused: the room would see
    tracebacks."""
    venue = config_env.read_bool(env, VENUE_VARIABLE, default=False)
    debug = config_env.read_bool(env, "DJANGO_DEBUG", default=not venue)
    if venue and debug:
        raise ImproperlyConfigured(
            f"{VENUE_VARIABLE} is on (make venue) but DJANGO_DEBUG is true: venue mode serves "
            "the room with DEBUG off, so that no error page shows a traceback. Unset "
            "DJANGO_DEBUG (make run is the development server)."
        )
    return debug, venue


def secret_key_path(database: Mapping[str, Any], *, base_dir: Path) -> Path:
    """Where venue mode keeps its secret key: beside the SQLite database file
    (``db.sqlite3.secret_key``), or ``venue.secret_key`` in ``base_dir`` for PostgreSQL."""
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(database["NAME"])
        return path.with_name(path.name + SECRET_KEY_SUFFIX)
    return base_dir / SERVER_SECRET_KEY_NAME


def read_or_create_secret_key(path: Path) -> str:
    """The key kept in ``path``; a new random one written there (mode 0600) the first time.

    The same key across restarts keeps sessions and signed links valid when the laptop
    restarts mid-event. Two processes starting at once agree on one key: the file appears
    whole or not at all (written aside, then linked into place).
    """
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = create_secret_key(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(
            f"The venue secret key file {path} cannot be read ({error}): fix or delete it, or "
            "set DJANGO_SECRET_KEY."
        ) from None
    if config_env.is_insecure_secret_key(key):
        raise ImproperlyConfigured(
            f"The venue secret key file {path} does not hold a long random key: delete it (a "
            "new one is made; everyone signed in signs in again) or set DJANGO_SECRET_KEY."
        )
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return key


def create_secret_key(path: Path) -> str:
    """Write a new key to ``path`` readable by its owner only and return it; when another
    process wrote one first, return that one."""
    key = secrets.token_urlsafe(50)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot write the venue secret key file in {path.parent} ({error.strerror}): "
            "set DJANGO_SECRET_KEY."
        ) from None
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:  # mkstemp: mode 0600
            out.write(key + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
    finally:
        os.unlink(temporary)
    return key
