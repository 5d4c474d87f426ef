"""Reading attendee files that would cost the server minutes: a workbook unpacking to hundreds
of megabytes, a stray cell a million rows down, a cell of megabytes."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from events import csv_import, tabular

PEOPLE = [["Name", "Email"], ["Ann Lee", "ann@example.com"], ["Bo Lund", "bo@example.se"]]


def workbook(*sheets: list[list[object]], far: dict[str, str] | None = None) -> bytes:
    """A workbook of ``sheets`` (rows of values); ``far`` puts single cells anywhere
    ({"A1048000": "x"}) on every sheet."""
    book = Workbook()
    book.remove(book.active)
    for number, rows in enumerate(sheets, start=1):
        sheet = book.create_sheet(f"S{number}")
        for row in rows:
            sheet.append(row)
        for coordinate, value in (far or {}).items():
            sheet[coordinate] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(data: bytes, xml: bytes) -> bytes:
    """``data`` (a workbook) with its first sheet's XML replaced by ``xml``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = xml
            target.writestr(part.filename, body)
    return buffer.getvalue()


def sheet_xml(name_cell: str) -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Email</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{name_cell}</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>ann@example.com</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>Bo Lund</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()


def test_parse_refuses_a_workbook_whose_sheet_unpacks_beyond_the_limit_without_reading_it():
    data = with_sheet_xml(workbook(PEOPLE), sheet_xml("A" * (50 * 1024 * 1024 + 1)))
    assert len(data) < 1024 * 1024

    started = time.perf_counter()
    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(data)

    assert time.perf_counter() - started < 2
    assert refusal.value.messages == [
        "This workbook unpacks to more than 50 MB (its part “xl/worksheets/sheet1.xml”), more "
        "than an attendee list needs. Delete what is not the list (or save the list as CSV) "
        "and upload it again."
    ]


def test_parse_a_workbook_with_a_stray_cell_a_million_rows_down_on_every_sheet_is_quick():
    data = workbook([["Notes"]], [["Notes"]], [["Notes"]], PEOPLE, far={"WQJ1048000": "x"})

    started = time.perf_counter()
    parsed = csv_import.parse(data)

    assert time.perf_counter() - started < 3
    assert parsed.errors == []
    assert parsed.described == "Excel workbook, sheet “S4”"
    assert [(r.line, r.name) for r in parsed.rows] == [(2, "Ann Lee"), (3, "Bo Lund")]


def test_parse_a_workbook_name_cell_of_a_megabyte_is_a_bad_row_by_line():
    data = with_sheet_xml(workbook(PEOPLE), sheet_xml("A" * 1024 * 1024))

    parsed = csv_import.parse(data)

    assert parsed.errors == ["Line 2: the cell for “Name” holds more than 5,000 characters."]


def test_parse_a_csv_company_cell_beyond_the_cell_limit_is_a_bad_row_by_line():
    data = f"Name,Email,Company\nAnn,ann@example.com,{'x' * 100_000}\nBo,,Lund AB\n".encode()

    parsed = csv_import.parse(data)

    assert parsed.errors == ["Line 2: the cell for “Company” holds more than 5,000 characters."]


def test_parse_refuses_a_workbook_whose_parts_together_unpack_beyond_the_limit():
    source = zipfile.ZipFile(io.BytesIO(workbook(PEOPLE)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part.filename, source.read(part))
        for n in range(5):  # five parts of 45 MB each, none over the limit alone
            target.writestr(f"xl/media/padding{n}.bin", b"\0" * (45 * 1024 * 1024))

    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(buffer.getvalue())

    assert refusal.value.messages[0].startswith("This workbook unpacks to more than 200 MB")


def test_parse_a_csv_cell_beyond_the_csv_readers_limit_is_said_in_words():
    data = f"Name,Email,Company\nAnn,ann@example.org,{'x' * 200_000}\n".encode()

    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(data)

    assert refusal.value.messages == [
        "Line 2 has a cell longer than 131,072 characters, more than any attendee's data: a "
        'quote (") left open, or a pasted document. Correct that line and upload the file again.'
    ]


def test_parse_a_workbook_name_formula_without_a_saved_value_says_so():
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Email", "Company"])
    sheet.append(["Ann Lee", "ann@example.com", "=1+1"])
    sheet.append(['=HYPERLINK("https://example.com","x")', "f@example.com", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)  # formulas written without values, as a program that does not calculate

    parsed = csv_import.parse(buffer.getvalue())

    assert parsed.errors == [
        "Line 3: the name cell holds a formula without a value. Open the file in Excel and "
        "save it again, or paste the values in place of the formulas."
    ]


def long_workbook(rows: int) -> bytes:
    """A workbook (written as a spreadsheet program streams it) of a header and ``rows``
    people."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("People")
    sheet.append(["Name", "Email"])
    for i in range(rows):
        sheet.append([f"Person {i}", f"p{i}@example.com"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def pulled_rows(monkeypatch):
    """How many rows the import pulls from openpyxl's read-only sheets, as a one-item list."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    count = [0]
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counted(self, *args, **kwargs):
        for row in iter_rows(self, *args, **kwargs):
            count[0] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counted)
    return count


def test_parse_stops_reading_a_workbook_past_the_row_limit(pulled_rows):
    data = long_workbook(csv_import.MAX_ROWS + 50)

    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(data)

    assert refusal.value.messages == [
        "The file has more than 10000 rows; at most 10000 can be imported at once."
    ]
    assert 0 < pulled_rows[0] < csv_import.MAX_ROWS + 50


def test_parse_stops_reading_a_text_file_past_the_row_limit():
    rows = "".join(f"Person {i},p{i}@example.com\n" for i in range(csv_import.MAX_ROWS + 50))

    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(f"Name,Email\n{rows}".encode())

    assert refusal.value.messages == [
        "The file has more than 10000 rows; at most 10000 can be imported at once."
    ]


def test_read_reads_a_workbook_of_as_many_rows_as_the_limit_to_its_end():
    full = tabular.read(long_workbook(100), max_rows=100)
    over = tabular.read(long_workbook(200), max_rows=100)

    assert (len(full.rows), full.rows[-1][1], full.is_cut) == (
        100,
        ["Person 99", "p99@example.com"],
        False,
    )
    assert (over.is_cut, len(over.rows) > 100) == (True, True)


def test_parse_a_workbook_formula_without_a_saved_value_in_another_cell_is_noted_by_line():
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Email", "Company", "Job title"])
    sheet.append(["Ann Lee", "ann@example.com", '=CONCATENATE("Ac","me")', "CTO"])
    sheet.append(["Bo Lund", "bo@example.se", "Lund AB", "=UPPER(A3)"])
    sheet.append(["Cy Dahl", "cy@example.se", "Dahl AB", "CEO"])
    buffer = io.BytesIO()
    book.save(buffer)  # formulas written without values, as a program that does not calculate

    parsed = csv_import.parse(buffer.getvalue())

    assert (parsed.errors, [(r.name, r.company, r.job_title) for r in parsed.rows]) == (
        [],
        [("Ann Lee", "", "CTO"), ("Bo Lund", "Lund AB", ""), ("Cy Dahl", "Dahl AB", "CEO")],
    )
    assert parsed.notes == [
        f"Line {line}: the cell for “{field}” holds a formula without a value, so it is left "
        "empty. Open the file in Excel and save it again, or paste the values in place of the "
        "formulas."
        for line, field in ((2, "Company"), (3, "Job title"))
    ]


def without_dimension(data: bytes, *, ref: str | None = None) -> bytes:
    """``data`` (a workbook) with its sheets' ``<dimension>`` taken out, or set to ``ref``."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part)
            if part.filename.startswith("xl/worksheets/sheet"):
                replacement = f'<dimension ref="{ref}"/>'.encode() if ref else b""
                body, found = re.subn(rb"<dimension [^>]*/>", replacement, body)
                assert found == 1
            target.writestr(part.filename, body)
    return buffer.getvalue()


@pytest.fixture
def parsed_rows(monkeypatch):
    """How many rows openpyxl parses from the XML of the workbooks' sheets, whatever for
    (reading the sheet's size or its rows), as a one-item list."""
    from openpyxl.worksheet import _reader

    count = [0]
    iterparse = _reader.iterparse

    def counted(source, *args, **kwargs):
        for event, element in iterparse(source, *args, **kwargs):
            count[0] += element.tag == _reader.ROW_TAG
            yield event, element

    monkeypatch.setattr(_reader, "iterparse", counted)
    return count


@pytest.mark.parametrize("ref", [None, "A1:B1048576"])
def test_read_reads_the_rows_of_a_workbook_without_a_true_dimension(ref):
    data = without_dimension(workbook(PEOPLE, [["Other"], ["x"]]), ref=ref)

    table = tabular.read(data)

    assert (table.header, table.rows, table.is_cut) == (
        ["Name", "Email"],
        [(2, ["Ann Lee", "ann@example.com"]), (3, ["Bo Lund", "bo@example.se"])],
        False,
    )


def test_parse_stops_parsing_a_workbook_without_a_dimension_past_the_row_limit(parsed_rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Email"])
    for i in range(csv_import.MAX_ROWS + 1_000):
        sheet.append([f"Person {i}", f"p{i}@example.com"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = without_dimension(buffer.getvalue())

    with pytest.raises(ValidationError) as refusal:
        csv_import.parse(data)

    assert refusal.value.messages == [
        "The file has more than 10000 rows; at most 10000 can be imported at once."
    ]
    # the rows up to the limit and the header search past it, once: not the sheet to its end
    assert parsed_rows[0] <= csv_import.MAX_ROWS + 1 + tabular.HEADER_SEARCH
