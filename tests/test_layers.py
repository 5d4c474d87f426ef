"""Apps import leftward only (events → pitches → rounds → feedback), and no app reaches a model
of an app to its right through a reverse relation (``event.rounds``, ``select_related("pitch")``).

Imports are read with ``ast`` from every module of every app (migrations aside), inside
functions and ``TYPE_CHECKING`` blocks too. ``config`` is shared by all apps: only its wiring
modules (urls, routing, asgi, settings) may name an app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["events", "pitches", "rounds", "conduct", "feedback"]
CONFIG_WIRING = {"urls.py", "routing.py", "asgi.py", "settings.py"}


def modules(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, app) for every import of one of our apps in the module at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names]
    return [(line, app) for line, app in found if app in ORDER]


def rightward_imports(package: str) -> list[str]:
    allowed = set(ORDER[: ORDER.index(package) + 1]) if package in ORDER else set()
    return [
        f"{path.relative_to(ROOT)}:{line} imports {app}"
        for path in modules(package)
        if not (package == "config" and path.name in CONFIG_WIRING)
        for line, app in imported_apps(path)
        if app not in allowed
    ]


def reverse_accessors(package: str) -> set[str]:
    """Names by which a model of ``package`` reaches a model of an app to its right."""
    rightward = set(ORDER[ORDER.index(package) + 1 :])
    return {
        relation.get_accessor_name()
        for model in apps.get_app_config(package).get_models()
        for relation in model._meta.related_objects
        if relation.related_model._meta.app_label in rightward
    }


QUERY_CALLS = {
    "select_related",
    "prefetch_related",
    "filter",
    "exclude",
    "get",
    "annotate",
    "aggregate",
    "values",
    "values_list",
    "order_by",
    "only",
    "defer",
    "Count",
    "Exists",
    "F",
    "Prefetch",
    "Q",
}


def call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def reaches(path: Path, accessors: set[str], *, root: Path = ROOT) -> list[str]:
    """Attribute reads (``x.rounds``) and query lookups (``select_related("pitch")``,
    ``filter(rounds__status=...)``) in the module at ``path`` naming one of ``accessors``."""
    where = path.relative_to(root)
    hits = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Attribute) and node.attr in accessors:
            hits.append(f"{where}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.Call) and call_name(node) in QUERY_CALLS:
            lookups = [
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ] + [keyword.arg for keyword in node.keywords if keyword.arg]
            hits += [
                f"{where}:{node.lineno} {lookup!r}"
                for lookup in lookups
                if lookup.lstrip("-").split("__")[0] in accessors
            ]
    return hits


@pytest.mark.parametrize("package", [*ORDER, "config"])
def test_layers_apps_import_leftward_only(package):
    assert rightward_imports(package) == []


@pytest.mark.parametrize("package", ["events", "rounds"])
def test_layers_no_app_reaches_a_model_to_its_right(package):
    accessors = reverse_accessors(package)
    assert accessors, "the check must know what to look for"

    assert [hit for path in modules(package) for hit in reaches(path, accessors)] == []


def test_layers_pitches_has_no_model_to_its_right_pointing_back():
    """Nothing to reach from pitches today; a new relation to it joins the check above."""
    assert reverse_accessors("pitches") == set()


def test_layers_the_checks_see_a_rightward_import_and_reach(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from rounds.models import Round\n"
        "def late(event):\n"
        "    import feedback.services\n"
        "    event.attendees.select_related('pitch').filter(cards__kind='see_me')\n"
        "    return event.rounds.count(), _('rounds')\n"
    )

    assert imported_apps(module) == [(3, "rounds"), (5, "feedback")]
    hits = reaches(module, {"rounds", "pitch", "cards"}, root=tmp_path)
    assert sorted(hits) == [
        "bad.py:6 'cards__kind'",
        "bad.py:6 'pitch'",
        "bad.py:7 .rounds",
    ]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every absolute import in the module at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


@pytest.mark.parametrize("package", ORDER)
def test_layers_views_are_imported_only_by_their_own_app_wiring(package):
    """A view module is the end of the line: what two apps' pages share lives in a module of its
    own (``rounds.panels``, ``events.queries``), never in another app's ``views``."""
    crossing = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules(package)
        for line, name in imported_modules(path)
        if (parts := name.split("."))[0] in ORDER and parts[0] != package and "views" in parts[1:]
    ]
    assert crossing == []


def test_layers_the_view_check_sees_an_import_of_another_apps_views(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from rounds.views import gaps_context\nfrom rounds import views\n")

    assert imported_modules(module) == [
        (1, "rounds.views"),
        (1, "rounds.views.gaps_context"),
        (2, "rounds"),
        (2, "rounds.views"),
    ]
