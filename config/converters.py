"""URL converters: ids in paths are bounded so that no URL reaches the database out of range.

``<id:event_id>`` matches 1 to 19 digits and, past ``MAX_ID`` (the largest value a
``BigAutoField`` holds on PostgreSQL and SQLite), does not match at all: the answer is a 404,
never a database error. ``<key:badge_key>`` is a secret of ``secrets.token_urlsafe`` (1 to 64
characters of its URL-safe alphabet; anything else does not match). Imported by every URL module
that uses them (registration is global).
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    """A primary key in a path: a positive integer that fits a 64-bit signed column."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"id out of range: {value}")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


class KeyConverter:
    """A random secret in a path (``secrets.token_urlsafe``): its alphabet, at most as long as
    the column that stores it."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KeyConverter, "key")
