"""The set-up command that builds the Chinese glosses' caches (pitches/management/commands)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from pitches import glosses


def test_prepare_glosses_builds_the_caches_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(glosses.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(glosses, "_first_senses", lambda: {"律师": ["lawyer"]})
    first, second = StringIO(), StringIO()

    call_command("prepare_glosses", stdout=first)
    call_command("prepare_glosses", stdout=second)

    assert glosses.is_prepared()
    assert first.getvalue() == f"Chinese glosses prepared in {tmp_path}\n"
    assert second.getvalue() == ""
