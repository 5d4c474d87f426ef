"""The URLconf: every route of the project's own apps once (a route of ours may shadow one of
Django's, as the throttled password reset shadows django.contrib.auth's)."""

from __future__ import annotations

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def routes(patterns, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(name with its namespace, route) of every named pattern of the project's own views,
    included ones too."""
    found: list[tuple[str, str]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and not entry.lookup_str.startswith("django.")
        ):
            found.append((namespace + entry.name, prefix + str(entry.pattern)))
    return found


def test_no_route_and_no_route_name_is_listed_twice():
    listed = routes(get_resolver().url_patterns)

    assert [r for r, n in Counter(listed).items() if n > 1] == []
    assert [name for name, n in Counter(name for name, _ in listed).items() if n > 1] == []
