"""Slowing down guessing: a client that fails too often in a window is refused for a while."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest, scope: str) -> str:
    return f"ratelimit:{scope}:{request.META.get('REMOTE_ADDR', 'unknown')}"


def is_limited(request: HttpRequest, *, scope: str, limit: int) -> bool:
    return cache.get(client_key(request, scope), 0) >= limit


def record_failure(request: HttpRequest, *, scope: str, window_seconds: int) -> None:
    key = client_key(request, scope)
    if not cache.add(key, 1, timeout=window_seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window_seconds)
