"""CSV and vCard exports, built once here for the organizer's pages, the admin and the attendee's
leads page.

Who sees whose contact details (email, phone):

- **Attendee's own leads** (``leads_rows``, ``leads_vcards``): exactly the rule of the leads page
  (``queries.leads_of``): another person's email and phone only where *both* agreed to share.
  Everyone on the leads page is in the export (name, company, job title, pitch), because the
  page shows them too.
- **Organizer, attendees export** (``attendee_rows``): every attendee's email and phone, always.
  They are the organizer's own registration records (imported by the organizer or given to the
  organizer when joining) and already shown to them in the admin; the consent column says
  whether the attendee agreed to share them with other attendees.
- **Organizer, cards and introductions exports** (``card_rows``, ``introduction_rows``): these
  describe who connected with whom, and may be handed on (to a sponsor, a CRM); a person's
  email and phone appear only where that person agreed to share contact details.

Every export reads its rows in one query whatever the number of rows. Cells that a spreadsheet
would take for a formula get a leading apostrophe, and the file starts with a byte-order mark
so Excel reads UTF-8 (Chinese names) right.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.models import Attendee
from feedback import queries
from feedback.models import Card, Introduction
from feedback.vcard import vcard

# A spreadsheet evaluates a cell that starts with one of these (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("attendees", "cards", "introductions")


@dataclass(frozen=True)
class Sheet:
    """A table to download: a file name without extension, a header row and the rows."""

    name: str
    header: list[str]
    rows: list[list[Any]]


# Text a spreadsheet shows as the number it is, never as a formula: phone numbers such as
# "+86 138 0000 0001" or "-5", which a guard would corrupt.
INERT_NUMBER = re.compile(r"[+\-]?[\d\s().\-/]*\d[\d\s().\-/]*")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that a spreadsheet would evaluate as a
    formula gets a leading quote; numbers and phone numbers stay as they are (the import strips
    the quote again, see ``events.csv_import.unguarded``)."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not INERT_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def to_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in sheet.header])
    writer.writerows([safe_cell(cell) for cell in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def csv_response(sheet: Sheet) -> HttpResponse:
    response = HttpResponse(to_csv(sheet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sheet.name}.csv"'
    return response


def local_time(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def shared_contact(person: Attendee) -> list[str]:
    """Email and phone of a person in a cards or introductions export: only if they agreed."""
    if not person.is_consenting_to_share:
        return ["", ""]
    return [person.email, person.phone]


def sheet_name(slugs: Sequence[str], kind: str) -> str:
    """``<event slug>-<kind>``, or ``events-<kind>`` for several events."""
    stem = slugs[0] if len(slugs) == 1 else "events"
    return f"{slugify(stem) or 'event'}-{kind}"


def attendee_rows(event_ids: Sequence[int], name: str) -> Sheet:
    """Every attendee of these events, with email and phone (the organizer's own records)."""
    attendees = list(
        Attendee.objects.filter(event_id__in=event_ids)
        .select_related("event", "pitch")
        .order_by("event__starts_at", "event_id", "name", "pk")
    )
    header = [
        _("event"),
        _("name"),
        _("email"),
        _("phone"),
        _("company"),
        _("job title"),
        _("shares contact details"),
        _("checked in at"),
        _("left at"),
        _("what I need"),
        _("what I offer"),
        _("the ask"),
    ]
    rows = []
    for person in attendees:
        pitch = getattr(person, "pitch", None)
        tz = person.event.zone
        rows.append(
            [
                person.event.title,
                person.name,
                person.email,
                person.phone,
                person.company,
                person.job_title,
                yes_no(person.is_consenting_to_share),
                local_time(person.checked_in_at, tz),
                local_time(person.left_at, tz),
                pitch.need if pitch else "",
                pitch.offer if pitch else "",
                pitch.ask if pitch else "",
            ]
        )
    return Sheet(name, header, rows)


def card_rows(event_ids: Sequence[int], name: str) -> Sheet:
    """Every card of these events; giver's and receiver's contact details only where consented."""
    cards = list(
        Card.objects.filter(round__event_id__in=event_ids)
        .select_related("round__event", "giver", "receiver")
        .order_by("round__event__starts_at", "round__event_id", "round__number", "created_at", "pk")
    )
    header = [
        _("event"),
        _("round"),
        _("kind"),
        _("giver"),
        _("giver's company"),
        _("giver's email"),
        _("giver's phone"),
        _("receiver"),
        _("receiver's company"),
        _("receiver's email"),
        _("receiver's phone"),
        _("note"),
        _("given at"),
    ]
    rows = [
        [
            card.round.event.title,
            card.round.number,
            card.get_kind_display(),
            card.giver.name,
            card.giver.company,
            *shared_contact(card.giver),
            card.receiver.name,
            card.receiver.company,
            *shared_contact(card.receiver),
            card.note,
            local_time(card.created_at, card.round.event.zone),
        ]
        for card in cards
    ]
    return Sheet(name, header, rows)


def introduction_rows(event_ids: Sequence[int], name: str) -> Sheet:
    """Every introduction of these events; contact details only where the person consented."""
    introductions = list(
        Introduction.objects.filter(card__round__event_id__in=event_ids)
        .select_related("card__round__event", "card__giver", "card__receiver")
        .order_by("card__round__event__starts_at", "card__round__event_id", "created_at", "pk")
    )
    header = [
        _("event"),
        _("round"),
        _("introducer"),
        _("introducer's company"),
        _("introducer's email"),
        _("introducer's phone"),
        _("pitcher"),
        _("pitcher's company"),
        _("pitcher's email"),
        _("pitcher's phone"),
        _("introduce to"),
        _("status"),
        _("offered at"),
        _("made at"),
        _("met at"),
        _("declined at"),
    ]
    rows = []
    for introduction in introductions:
        card = introduction.card
        tz = card.round.event.zone
        rows.append(
            [
                card.round.event.title,
                card.round.number,
                card.giver.name,
                card.giver.company,
                *shared_contact(card.giver),
                card.receiver.name,
                card.receiver.company,
                *shared_contact(card.receiver),
                introduction.target,
                introduction.get_status_display(),
                local_time(introduction.created_at, tz),
                local_time(introduction.made_at, tz),
                local_time(introduction.met_at, tz),
                local_time(introduction.declined_at, tz),
            ]
        )
    return Sheet(name, header, rows)


EVENT_SHEETS = {"attendees": attendee_rows, "cards": card_rows, "introductions": introduction_rows}


def event_sheet(kind: str, events: Sequence[tuple[int, str]]) -> Sheet:
    """The ``kind`` export of these events, given as (id, slug) pairs."""
    name = sheet_name([slug for _pk, slug in events], kind)
    return EVENT_SHEETS[kind]([pk for pk, _slug in events], name)


# The attendee's own leads.


def lead_sections(leads: queries.Leads) -> Iterable[tuple[str, queries.Lead]]:
    for lead in leads.want_to_see_me:
        yield _("wants to see me"), lead
    for lead in leads.can_introduce_me:
        yield _("can introduce me"), lead
    for lead in leads.i_asked_to_see:
        yield _("I asked to see"), lead


def leads_rows(attendee: Attendee) -> Sheet:
    """One row per lead, as on the leads page; email and phone only where both agreed."""
    header = [
        _("relation"),
        _("name"),
        _("company"),
        _("job title"),
        _("introduce to"),
        _("what I need"),
        _("what I offer"),
        _("the ask"),
        _("last table"),
        _("email"),
        _("phone"),
    ]
    rows = []
    for relation, lead in lead_sections(queries.leads_of(attendee)):
        person = lead.person
        pitch = getattr(person, "pitch", None)
        rows.append(
            [
                relation,
                person.name,
                person.company,
                person.job_title,
                lead.note,
                pitch.need if pitch else "",
                pitch.offer if pitch else "",
                pitch.ask if pitch else "",
                lead.last_table or "",
                person.email if lead.has_contact else "",
                person.phone if lead.has_contact else "",
            ]
        )
    return Sheet(f"{slugify(attendee.event.slug) or 'event'}-leads", header, rows)


def leads_vcards(attendee: Attendee) -> str:
    """One vCard per person on the leads page: name, company, job title and a note with their
    ask for everyone; email and phone only where both agreed (the leads page's rule)."""
    cards: dict[int, str] = {}
    met_at = _("Met at %(event)s.") % {"event": attendee.event.title}
    for _relation, lead in lead_sections(queries.leads_of(attendee)):
        person = lead.person
        if person.pk in cards:
            continue
        pitch = getattr(person, "pitch", None)
        note = f"{met_at} {pitch.ask}" if pitch and pitch.ask else met_at
        cards[person.pk] = vcard(person, note=note, with_contact=lead.has_contact)
    return "".join(cards.values())
