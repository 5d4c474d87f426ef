"""Attendee import: 5,000 rows read, checked, compared and written, in each kind of file.

For each file (CSV in UTF-8, GB18030 with semicolons, UTF-16 tab-separated, an .xlsx workbook)
it prints the file size and the wall time of: ``parse`` (decode, columns, the hygiene rule on
every row), the dry run (``preview_import``, which also reads the event's attendees), the first
import into an empty event, and the re-import of the same file (all unchanged) and of an updated
one (a tenth of the rows changed, a tenth new). The issue's target: a 5,000-row import under 3 s.

Run from the project root; with no ``DATABASE_URL`` it uses a throw-away SQLite file::

    python bench/import_attendees.py                  # 5,000 rows
    python bench/import_attendees.py --rows 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python bench/import_attendees.py
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["伟", "娜", "芳", "敏", "静", "磊", "洋", "勇", "艳", "杰"]
LATIN = ["Ada Kim", "Bo Lund", "Renée Ångström", "Tomás Ortega", "Priya Raman"]
COMPANIES = ["Kite Labs", "北京星河科技有限公司", "Ortega Foods", "Freelance", "Lumen Studio"]


def rows(count: int, *, changed: bool = False) -> list[list[str]]:
    header = ["Name", "Email", "Company", "Job title", "Phone", "Share contact details"]
    body = []
    for i in range(count):
        chinese = f"{SURNAMES[i % 10]}{GIVEN[(i // 10) % 10]}{i}"
        name = chinese if i % 2 else f"{LATIN[i % 5]} {i}"
        company = f"{COMPANIES[i % 5]} {i % 300}"
        title = "Engineer"
        if changed and i % 10 == 0:
            title = "Head of Engineering"
        body.append(
            [
                name,
                f"person{i}@example.org",
                company,
                title,
                f"+86 138 {i:08d}",
                "yes" if i % 3 else "",
            ]
        )
    if changed:
        body += [
            [f"New Person {i}", f"new{i}@example.org", "Kite Labs", "", "", ""]
            for i in range(count // 10)
        ]
    return [header, *body]


def as_text(table: list[list[str]], *, delimiter: str) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(table)
    return buffer.getvalue()


def as_xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def files(count: int, *, changed: bool = False) -> dict[str, bytes]:
    table = rows(count, changed=changed)
    return {
        "CSV UTF-8 ,": as_text(table, delimiter=",").encode("utf-8"),
        "CSV GB18030 ;": ("sep=;\r\n" + as_text(table, delimiter=";")).encode("gb18030"),
        "UTF-16 tab": as_text(table, delimiter="\t").encode("utf-16"),
        "xlsx": as_xlsx(table),
    }


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    options = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from events import csv_import, services

    organizer = get_user_model().objects.create_user(f"bench-{time.time_ns()}")
    print(f"{options.rows} rows; database: {django.db.connection.vendor}")
    print(
        f"{'file':<16}{'size':>9}{'parse':>8}{'dry run':>9}{'import':>8}"
        f"{'again':>8}{'updated':>9}  result of the updated import"
    )
    first, updated = files(options.rows), files(options.rows, changed=True)
    for label, data in first.items():
        event = services.create_event(organizer, title=f"Bench {label}", starts_at=timezone.now())
        parse_s, _parsed = timed(lambda data=data: csv_import.parse(data))
        dry_s, _dry = timed(
            lambda data=data, event=event: services.preview_import(event, data=data)
        )
        import_s, _result = timed(
            lambda data=data, event=event: services.import_attendees(event, data=data, by=None)
        )
        again_s, again = timed(
            lambda data=data, event=event: services.import_attendees(event, data=data, by=None)
        )
        assert again.unchanged == options.rows, again
        update_s, result = timed(
            lambda label=label, event=event: services.import_attendees(
                event, data=updated[label], by=None
            )
        )
        print(
            f"{label:<16}{len(data) / 1e6:>7.2f}MB{parse_s:>7.2f}s{dry_s:>8.2f}s{import_s:>7.2f}s"
            f"{again_s:>7.2f}s{update_s:>8.2f}s  {result.added} added, {result.updated} updated,"
            f" {result.unchanged} unchanged"
        )
    scratch.cleanup()


if __name__ == "__main__":
    main()
