"""CSV, vCard and calendar exports, built once here for the organizer's pages, the admin, the
attendee's leads page and the mail. vCards are written by vobject and calendars by icalendar,
which escape and fold for their formats; values are made safe for them first (``vcard_text``).

Who sees whose contact details (email, phone, WeChat, LinkedIn):

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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

import icalendar
import vobject
from django.http import HttpResponse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.site import public_url
from events.models import Attendee, Event
from feedback import queries
from feedback.models import Card, Introduction

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


def consent_state(person: Attendee) -> str:
    """The attendee's own choice about sharing, for the organizer's export: yes, no, or not
    chosen yet (with what an import or the organizer suggested)."""
    if person.has_decided_consent:
        return yes_no(person.is_consenting_to_share)
    if person.is_consent_suggested:
        return _("not chosen yet (suggested: yes)")
    return _("not chosen yet")


def own_shared_contact(person: Attendee) -> list[str]:
    """Email and phone of a person in the organizer's cards or introductions export: only if
    that person agreed to share (their own consent; what attendees see of each other needs
    both to agree: ``queries.both_share_contact``)."""
    if not person.is_sharing_contact:
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
                consent_state(person),
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
            *own_shared_contact(card.giver),
            card.receiver.name,
            card.receiver.company,
            *own_shared_contact(card.receiver),
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
                *own_shared_contact(card.giver),
                card.receiver.name,
                card.receiver.company,
                *own_shared_contact(card.receiver),
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


def leads_rows(attendee: Attendee, *, shows_contact: bool = True) -> Sheet:
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
        _("WeChat ID"),
        _("LinkedIn profile"),
    ]
    rows = []
    for relation, lead in lead_sections(queries.leads_of(attendee, shows_contact=shows_contact)):
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
                person.wechat_id if lead.has_contact else "",
                person.linkedin_url if lead.has_contact else "",
            ]
        )
    return Sheet(f"{slugify(attendee.event.slug) or 'event'}-leads", header, rows)


def leads_vcards(attendee: Attendee, *, shows_contact: bool = True) -> str:
    """One vCard per person on the leads page with whom both agreed to share contact details
    (the rule of each person's own .vcf, ``queries.contact_for``: someone who declined is in
    neither): name, company, job title, email, phone, WeChat, LinkedIn and a note with their
    ask."""
    cards: dict[int, str] = {}
    met_at = _("Met at %(event)s.") % {"event": attendee.event.title}
    leads = queries.leads_of(attendee, shows_contact=shows_contact)
    for _relation, lead in lead_sections(leads):
        person = lead.person
        if person.pk in cards or not lead.has_contact:
            continue
        pitch = getattr(person, "pitch", None)
        note = f"{met_at} {pitch.ask}" if pitch and pitch.ask else met_at
        cards[person.pk] = vcard(person, note=note)
    return "".join(cards.values())


# vCard (RFC 2426, version 3.0) and iCalendar (RFC 5545), by vobject and icalendar.

LINE_BREAKS = {"\r\n", "\r", "\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


def vcard_text(value: str, *, multiline: bool = False) -> str:
    """``value`` safe for one vCard or iCalendar property: every control and format character
    (CR, VT, NEL, U+2028, zero-width, bidi controls) is dropped or becomes a space, so nothing
    can start a new property or a second contact. With ``multiline`` the line breaks of any kind
    become ``\\n`` (which the library escapes); otherwise the value is one line."""
    value = value.replace("\r\n", "\n")
    out = []
    for char in value:
        if char in LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            out.append(" " if char == "\t" else "")
        else:
            out.append(char)
    lines = [" ".join(line.split()) for line in "".join(out).split("\n")]
    return "\n".join(line for line in lines if line)


def vcard(person: Attendee, *, note: str = "", with_contact: bool = True) -> str:
    """The person's vCard 3.0 text (CRLF lines folded at 75 octets); ``with_contact=False``
    leaves out email, phone, WeChat and LinkedIn (no consent)."""
    card = vobject.vCard()
    card.add("fn").value = vcard_text(person.name) or "?"
    family, given = (vcard_text(part) for part in person.name_parts)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if company := vcard_text(person.company):
        card.add("org").value = [company]
    if title := vcard_text(person.job_title):
        card.add("title").value = title
    if with_contact:
        if email := vcard_text(person.email):
            line = card.add("email")
            line.value = email
            line.type_param = "INTERNET"
        if phone := vcard_text(person.phone):
            line = card.add("tel")
            line.value = phone
            line.type_param = "CELL"
        if wechat := vcard_text(person.wechat_id):
            card.add("impp").value = f"weixin:{wechat}"
            card.add("x-wechat").value = wechat
            note = f"{note}\nWeChat: {wechat}" if note else f"WeChat: {wechat}"
        if linkedin := vcard_text(person.linkedin_url):
            card.add("url").value = linkedin
    if note := vcard_text(note, multiline=True):
        card.add("note").value = note
    return fold_octets(card.serialize())


MAX_LINE_OCTETS = 75


def fold_octets(text: str) -> str:
    """Content lines folded at 75 octets (RFC 2426 2.6, RFC 5545 3.1), never inside a UTF-8
    character. vobject folds a line only when it has 75 *characters* or more, so a line of 40
    Chinese characters (120 octets) would go out unfolded: unfold what it wrote and fold again."""
    lines = text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
    folded = []
    for line in lines:
        piece, size = "", 0
        for char in line:
            width = len(char.encode("utf-8"))
            if size + width > MAX_LINE_OCTETS:
                folded.append(piece)
                piece, size = " ", 1
            piece += char
            size += width
        folded.append(piece)
    return "\r\n".join(folded)


def parameter_text(value: str) -> str:
    """A value for a property parameter (CN=...): one line, and without the double quote that
    parameter values cannot hold even quoted (RFC 5545, 3.1)."""
    return vcard_text(value).replace('"', "'")


def site_host() -> str:
    return urlsplit(public_url()).hostname or "speednet"


def calendar_response(calendar: icalendar.Calendar, filename: str) -> HttpResponse:
    method = str(calendar.get("method", "PUBLISH"))
    response = HttpResponse(
        calendar.to_ical(), content_type=f"text/calendar; charset=utf-8; method={method}"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


def with_time_zones(calendar: icalendar.Calendar) -> icalendar.Calendar:
    """Add a VTIMEZONE for every TZID the calendar's times use (RFC 5545, 3.6.5: Outlook and
    older clients otherwise guess the zone)."""
    calendar.add_missing_timezones()
    return calendar


def new_calendar(method: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//speednet//follow-through//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def event_duration(event: Event) -> timedelta:
    """About how long the event lasts: every round, plus half an hour of welcome and mingle."""
    return event.round_length * event.rounds_count + timedelta(minutes=30)


def event_calendar(event: Event, *, url: str) -> icalendar.Calendar:
    """The event as a calendar entry for an invitation: its time in its own zone, the venue,
    and the attendee's personal link (``url``) to open on the day."""
    calendar = new_calendar("PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@{site_host()}")
    entry.add("dtstamp", datetime.now(tz=event.zone))
    starts_at = event.starts_at.astimezone(event.zone)
    entry.add("dtstart", starts_at)
    entry.add("dtend", starts_at + event_duration(event))
    entry.add("summary", vcard_text(event.title))
    if venue := vcard_text(event.venue):
        entry.add("location", venue)
    entry.add("url", url)
    entry.add("description", vcard_text(_("Your personal link: %(url)s") % {"url": url}))
    calendar.add_component(entry)
    return with_time_zones(calendar)


CALL_LENGTH = timedelta(minutes=20)
CALL_HOUR = time(10, 0)


def next_working_morning(after: datetime, zone: tzinfo) -> datetime:
    """10:00 on the first weekday after ``after``, in ``zone``: a time to propose that the
    other person can accept, move or decline in their calendar."""
    day = after.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, CALL_HOUR, tzinfo=zone)


def call_proposal(attendee: Attendee, person: Attendee, *, now: datetime) -> icalendar.Calendar:
    """A 20-minute call the attendee proposes to a person they exchanged a "See me" card with,
    as a meeting request (METHOD:REQUEST) with the attendee as organizer and the person as
    invitee; opening it in a calendar sends the invitation. Both must have shared contact details
    (``queries.contact_for``). Times are in the event's zone, words in the attendee's language
    (the one their phone used, else the event's)."""
    with translation.override(attendee.mail_language):
        return call_request(attendee, person, now=now)


def call_request(attendee: Attendee, person: Attendee, *, now: datetime) -> icalendar.Calendar:
    event = attendee.event
    starts_at = next_working_morning(now, event.zone)
    calendar = new_calendar("REQUEST")
    entry = icalendar.Event()
    entry.add(
        "uid",
        f"call-{event.pk}-{'-'.join(sorted([str(attendee.pk), str(person.pk)]))}@{site_host()}",
    )
    entry.add("dtstamp", now)
    entry.add("dtstart", starts_at)
    entry.add("dtend", starts_at + CALL_LENGTH)
    entry.add("sequence", 0)
    entry.add("status", "TENTATIVE")
    entry.add(
        "summary",
        vcard_text(
            _("20-minute call: %(me)s and %(person)s")
            % {"me": attendee.name, "person": person.name}
        ),
    )
    entry.add(
        "description",
        vcard_text(_("We met at %(event)s.") % {"event": event.title}, multiline=True),
    )
    organizer = icalendar.vCalAddress(f"mailto:{attendee.email}")
    organizer.params["cn"] = parameter_text(attendee.name)
    entry.add("organizer", organizer)
    invitee = icalendar.vCalAddress(f"mailto:{person.email}")
    invitee.params["cn"] = parameter_text(person.name)
    invitee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    invitee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
    invitee.params["rsvp"] = icalendar.vText("TRUE")
    entry.add("attendee", invitee)
    calendar.add_component(entry)
    return with_time_zones(calendar)
