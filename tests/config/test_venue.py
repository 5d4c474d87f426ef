"""Venue mode's pieces (config/venue.py): the mode and the secret key kept beside the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import venue


@pytest.mark.parametrize(
    ("variables", "mode"),
    [
        ({}, (True, False)),
        ({"DJANGO_DEBUG": "false"}, (False, False)),
        ({"SPEEDNET_VENUE": "1"}, (False, True)),
        ({"SPEEDNET_VENUE": "1", "DJANGO_DEBUG": "off"}, (False, True)),
        ({"SPEEDNET_VENUE": "0"}, (True, False)),
    ],
)
def test_read_mode_venue_turns_debug_off_by_default(variables, mode):
    assert venue.read_mode(variables) == mode


def test_read_mode_refuses_venue_with_debug_on():
    with pytest.raises(ImproperlyConfigured, match="but DJANGO_DEBUG is true"):
        venue.read_mode({"SPEEDNET_VENUE": "yes", "DJANGO_DEBUG": "1"})


def test_secret_key_path_is_beside_the_sqlite_file_or_in_the_project_for_postgres(tmp_path):
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "events"}

    assert venue.secret_key_path(sqlite, base_dir=Path("/srv")) == tmp_path / (
        "db.sqlite3.secret_key"
    )
    assert venue.secret_key_path(postgres, base_dir=Path("/srv")) == Path("/srv/venue.secret_key")


def test_read_or_create_secret_key_makes_one_once_owner_only(tmp_path):
    path = tmp_path / "db.sqlite3.secret_key"

    first = venue.read_or_create_secret_key(path)
    second = venue.read_or_create_secret_key(path)

    assert first == second == path.read_text().strip()
    assert len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.sqlite3.secret_key"]


def test_read_or_create_secret_key_takes_back_a_key_others_could_read(tmp_path):
    path = tmp_path / "db.sqlite3.secret_key"
    key = venue.read_or_create_secret_key(path)
    path.chmod(0o644)

    assert venue.read_or_create_secret_key(path) == key
    assert path.stat().st_mode & 0o777 == 0o600


def test_read_or_create_secret_key_keeps_the_key_another_process_wrote_first(tmp_path):
    path = tmp_path / "db.sqlite3.secret_key"
    path.write_text("k" * 10 + "another-process-wrote-this-key-first-0123456789" + "\n")

    assert (
        venue.create_secret_key(path)
        == "k" * 10 + "another-process-wrote-this-key-first-0123456789"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.sqlite3.secret_key"]


def test_read_or_create_secret_key_refuses_a_file_without_a_usable_key(tmp_path):
    path = tmp_path / "db.sqlite3.secret_key"
    path.write_text("\n")

    with pytest.raises(ImproperlyConfigured, match="does not hold a long random key"):
        venue.read_or_create_secret_key(path)
