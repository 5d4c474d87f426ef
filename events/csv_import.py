"""Reading an attendee list from CSV: any common export (ticketing sites name their columns
differently), every problem reported by line number, and nothing imported unless every row is
good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
FIELDS = ("name", "first_name", "last_name", "email", "company", "job_title", "phone", "consent")
# Header spellings seen in exports (Eventbrite, Meetup, Luma, Tito, spreadsheets), lower case.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "attendee name", "attendee", "participant", "姓名", "名字"),
    "first_name": ("first name", "first_name", "firstname", "given name", "forename"),
    "last_name": ("last name", "last_name", "lastname", "surname", "family name"),
    "email": ("email", "e-mail", "email address", "attendee email", "mail", "邮箱", "电子邮件"),
    "company": ("company", "company name", "organization", "organisation", "employer", "公司"),
    "job_title": ("job title", "title", "position", "role", "job", "职位"),
    "phone": ("phone", "phone number", "mobile", "mobile phone", "cell phone", "电话", "手机"),
    "consent": ("consent", "share contact", "shares contact details", "share details"),
}
YES = frozenset({"yes", "y", "true", "1", "x", "是"})
NO = frozenset({"no", "n", "false", "0", "", "否"})


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    email: str
    company: str
    job_title: str
    phone: str
    is_consenting_to_share: bool


@dataclass
class Parsed:
    headers: list[str]
    mapping: dict[str, int | None]
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB; split it into smaller files."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from None


def read_table(text: str) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as error:
        raise ValidationError(
            _("The file is not valid CSV: %(error)s") % {"error": error}
        ) from None


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    normalized = [" ".join(h.strip().lower().replace("_", " ").split()) for h in headers]
    mapping: dict[str, int | None] = {}
    for name in FIELDS:
        spellings = {a.replace("_", " ") for a in ALIASES[name]}
        mapping[name] = next((i for i, h in enumerate(normalized) if h in spellings), None)
    return mapping


def cell(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return " ".join(values[index].split())


def parse(
    data: bytes,
    *,
    mapping: dict[str, int | None] | None = None,
    existing_emails: Iterable[str] = (),
) -> Parsed:
    """Parse and check every row; ``errors`` lists each problem with its line number."""
    table = read_table(decode(data))
    if not table:
        raise ValidationError(_("The file is empty."))
    headers, body = table[0], table[1:]
    if len(body) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(n)s rows; at most %(max)s can be imported at once.")
            % {"n": len(body), "max": MAX_ROWS}
        )
    parsed = Parsed(headers=headers, mapping=mapping or guess_mapping(headers))
    has_name = parsed.mapping["name"] is not None or parsed.mapping["first_name"] is not None
    if not has_name:
        raise ValidationError(
            _("No column holds the names. Choose which column is the name, or add a “name” column.")
        )
    taken = {email.lower(): None for email in existing_emails}
    for line, values in enumerate(body, start=2):
        parsed.rows.append(check_row(parsed, line, values, taken))
    return parsed


def check_row(parsed: Parsed, line: int, values: list[str], taken: dict[str, int | None]) -> Row:
    m = parsed.mapping
    name = cell(values, m["name"]) or " ".join(
        part for part in (cell(values, m["first_name"]), cell(values, m["last_name"])) if part
    )
    email = cell(values, m["email"]).lower()
    consent = cell(values, m["consent"]).lower()
    problems = []
    if not name:
        problems.append(_("the name is missing"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not an email address") % {"email": email})
        else:
            if email in taken:
                earlier = taken[email]
                problems.append(
                    _("%(email)s is already at this event") % {"email": email}
                    if earlier is None
                    else _("%(email)s is also on line %(line)s") % {"email": email, "line": earlier}
                )
            else:
                taken[email] = line
    if consent not in YES | NO:
        problems.append(_("consent “%(value)s” is neither yes nor no") % {"value": consent})
    for problem in problems:
        parsed.errors.append(_("Line %(line)s: %(problem)s.") % {"line": line, "problem": problem})
    return Row(
        line=line,
        name=name[:120],
        email=email,
        company=cell(values, m["company"])[:160],
        job_title=cell(values, m["job_title"])[:160],
        phone=cell(values, m["phone"])[:40],
        is_consenting_to_share=consent in YES,
    )
