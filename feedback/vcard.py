"""vCard 3.0 text for a contact, so a phone can save it in one tap."""

from __future__ import annotations

from events.models import Attendee


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def vcard(person: Attendee, *, note: str = "", with_contact: bool = True) -> str:
    """The person's card; ``with_contact=False`` leaves out email and phone (no consent)."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{escape(person.name)}",
        f"N:;{escape(person.name)};;;",
    ]
    if person.company:
        lines.append(f"ORG:{escape(person.company)}")
    if person.job_title:
        lines.append(f"TITLE:{escape(person.job_title)}")
    if with_contact and person.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{escape(person.email)}")
    if with_contact and person.phone:
        lines.append(f"TEL;TYPE=CELL:{escape(person.phone)}")
    if note:
        lines.append(f"NOTE:{escape(note)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
