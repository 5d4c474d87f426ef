"""The tests' own cache (``fresh_cache`` in conftest): empty for each test, and nothing outside
its key prefix is touched, so a run against Redis keeps the configured database's keys."""

from __future__ import annotations

import ast
from pathlib import Path

from django.core.cache import CacheHandler

from config import settings as project_settings


def configured_cache():
    """The cache as configured (memory, or Redis with REDIS_URL), outside any test override."""
    return CacheHandler(project_settings.CACHES)["default"]


def test_fresh_cache_has_its_own_prefix_and_leaves_the_configured_keys_alone(fresh_cache):
    configured = configured_cache()
    configured.set("kept-by-the-venue", "yes", timeout=60)

    fresh_cache.set("kept-by-the-venue", "the test's own", timeout=60)

    assert fresh_cache.key_prefix.startswith("test-")
    assert fresh_cache.key_prefix != configured.key_prefix
    assert fresh_cache.get("kept-by-the-venue") == "the test's own"
    assert configured.get("kept-by-the-venue") == "yes"
    configured.delete("kept-by-the-venue")


def test_fresh_cache_is_empty_for_each_test(fresh_cache):
    assert fresh_cache.get("kept-by-the-venue") is None


def test_no_test_clears_the_whole_cache():
    """On the Redis run ``cache.clear()`` empties the configured database for every deployment
    that shares it: a test that needs an empty cache asks for ``fresh_cache``."""
    tests = Path(__file__).resolve().parent
    clearing = [
        f"{path.relative_to(tests)}:{node.lineno}"
        for path in sorted(tests.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "clear"
        and "cache" in ast.unparse(node.func.value).lower()
    ]
    assert clearing == []
