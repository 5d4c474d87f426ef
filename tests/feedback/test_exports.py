from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Attendee
from feedback import exports
from feedback.models import Card
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    IntroductionFactory,
    PitchFactory,
    SeatFactory,
    TableFactory,
)
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+49 30 1234", "+49 30 1234"),
        ("+86 138 0000 0001", "+86 138 0000 0001"),
        ("+1 (555) 010-0100", "+1 (555) 010-0100"),
        ("-5", "-5"),
        ("-2+3", "'-2+3"),
        ("+", "'+"),
        ("-", "'-"),
        ("+1 555 =A1", "'+1 555 =A1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Ada = Bea", "Ada = Bea"),
        (3, 3),
        (None, ""),
    ],
)
def test_safe_cell_quotes_what_a_spreadsheet_would_evaluate(value, written):
    assert exports.safe_cell(value) == written


def test_to_csv_is_utf8_with_a_byte_order_mark():
    sheet = exports.Sheet("x", ["name"], [["陈丽"], ["=1+1"]])

    data = exports.to_csv(sheet)

    assert data == "\ufeffname\r\n陈丽\r\n'=1+1\r\n".encode()


@pytest.fixture
def me(round_):
    return AttendeeFactory(event=round_.event, name="Me", consenting=True, checked_in=True)


def lead(round_, me, *, gives=None, receives=None, consenting=True, **fields):
    """A tablemate of mine who gives me a card of kind ``gives`` or receives one from me."""
    person = AttendeeFactory(
        event=round_.event,
        is_consenting_to_share=consenting,
        consent_decided_at=timezone.now(),
        phone="+1 555 0100",
        **fields,
    )
    if gives:
        CardFactory(round=round_, giver=person, receiver=me, kind=gives, note="my cousin")
    if receives:
        CardFactory(round=round_, giver=me, receiver=person, kind=receives)
    return person


def test_leads_csv_one_row_per_lead_with_contact_only_where_both_agreed(client, round_, me):
    table = TableFactory(round=round_, number=4)
    sharer = lead(round_, me, gives=Card.Kind.SEE_ME, name="Sharer", email="sharer@example.com")
    SeatFactory(table=table, attendee=sharer, speaking_order=0)
    PitchFactory(attendee=sharer, ask="=Who do you know?")
    private = lead(
        round_,
        me,
        gives=Card.Kind.INTRODUCE,
        name="Private",
        email="p@example.com",
        consenting=False,
    )
    asked = lead(round_, me, receives=Card.Kind.SEE_ME, name="Asked", email="asked@example.com")

    rows = read_csv(client.get(reverse("leads_csv", args=[me.token])))

    assert rows[0][:3] == ["relation", "name", "company"]
    assert [row[:2] for row in rows[1:]] == [
        ["wants to see me", "Sharer"],
        ["can introduce me", "Private"],
        ["I asked to see", "Asked"],
    ]
    assert rows[1][7:] == ["'=Who do you know?", "4", "sharer@example.com", "+1 555 0100", "", ""]
    assert rows[2][4] == "my cousin"
    assert rows[2][9:] == ["", "", "", ""]
    assert rows[3][9] == asked.email
    assert "p@example.com" not in str(rows)
    assert private.phone not in str(rows[2])


def test_leads_csv_of_someone_not_sharing_has_no_contact_details(client, round_):
    me = AttendeeFactory(event=round_.event, consenting=False)
    lead(round_, me, gives=Card.Kind.SEE_ME, email="sharer@example.com")

    rows = read_csv(client.get(reverse("leads_csv", args=[me.token])))

    assert len(rows) == 2
    assert rows[1][9:] == ["", "", "", ""]


def test_leads_vcf_only_where_both_agreed_as_each_persons_own_vcf(client, round_, me):
    sharer = lead(
        round_,
        me,
        gives=Card.Kind.SEE_ME,
        receives=Card.Kind.SEE_ME,
        name="Sharer",
        email="sharer@example.com",
    )
    lead(round_, me, gives=Card.Kind.SEE_ME, name="Private", email="p@ex.com", consenting=False)

    response = client.get(reverse("leads_vcf", args=[me.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    text = response.content.decode()
    assert text.count("BEGIN:VCARD") == 1
    assert f"EMAIL;TYPE=INTERNET:{sharer.email}" in text
    assert "Private" not in text
    assert "p@ex.com" not in text
    own = {
        person.name: client.get(reverse("contact_vcard", args=[me.token, person.pk])).status_code
        for person in Attendee.objects.filter(name__in=["Sharer", "Private"])
    }
    assert own == {"Sharer": 200, "Private": 404}


@pytest.mark.parametrize("name", ["leads_csv", "leads_vcf"])
def test_leads_exports_of_an_unknown_token_are_not_found(client, name):
    assert client.get(reverse(name, args=["guessed-token"])).status_code == 404


def test_leads_exports_hold_only_my_own_leads(client, round_, me):
    other = AttendeeFactory(event=round_.event)
    lead(round_, other, gives=Card.Kind.SEE_ME, name="Not mine")
    lead(round_, me, gives=Card.Kind.SEE_ME, name="Mine")

    csv_text = client.get(reverse("leads_csv", args=[me.token])).content.decode("utf-8-sig")
    vcf_text = client.get(reverse("leads_vcf", args=[me.token])).content.decode()

    assert "Mine" in csv_text
    assert "Not mine" not in csv_text
    assert "Not mine" not in vcf_text


def test_leads_page_links_the_downloads(client, round_, me):
    lead(round_, me, gives=Card.Kind.SEE_ME)

    html = client.get(reverse("leads", args=[me.token])).text

    assert reverse("leads_csv", args=[me.token]) in html
    assert reverse("leads_vcf", args=[me.token]) in html


@pytest.mark.parametrize("leads", [1, 3])
def test_leads_csv_queries_do_not_grow_with_leads(
    client, round_, me, leads, django_assert_num_queries
):
    for _ in range(leads):
        person = lead(round_, me, gives=Card.Kind.SEE_ME, receives=Card.Kind.SEE_ME)
        PitchFactory(attendee=person)

    open_link(client, me.token)  # the phone's first opening binds it (one write)
    with django_assert_num_queries(4):
        response = client.get(reverse("leads_csv", args=[me.token]))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 2 * leads  # the header; each lead wants to see me and I them


# The organizer's exports.


@pytest.fixture
def organizer(client, round_):
    client.force_login(round_.event.organizer)
    return client


def export(client, event, kind: str) -> list[list[str]]:
    return read_csv(client.get(reverse("event_export", args=[event.pk, kind])))


def test_attendees_export_has_every_email_the_organizer_holds(organizer, round_):
    AttendeeFactory(event=round_.event, name="Quiet", email="quiet@example.com", phone="0301")
    AttendeeFactory(event=round_.event, name="=cmd|' /C calc'!A0", consenting=True)
    AttendeeFactory(name="Elsewhere", email="elsewhere@example.com")

    rows = export(organizer, round_.event, "attendees")

    assert rows[0][:4] == ["event", "name", "email", "phone"]
    assert [row[1] for row in rows[1:]] == ["'=cmd|' /C calc'!A0", "Quiet"]
    assert rows[2][2:4] == ["quiet@example.com", "0301"]
    assert (rows[1][6], rows[2][6]) == ("yes", "not chosen yet")
    assert "elsewhere@example.com" not in str(rows)


def test_cards_export_shows_contact_details_only_of_people_who_agreed(organizer, round_):
    sharer = AttendeeFactory(event=round_.event, consenting=True, phone="0302")
    quiet = AttendeeFactory(event=round_.event, email="quiet@example.com", phone="0303")
    CardFactory(round=round_, giver=quiet, receiver=sharer, note="+ intro")

    rows = export(organizer, round_.event, "cards")

    assert rows[1][1:4] == ["1", "See me", quiet.name]
    assert rows[1][5:7] == ["", ""]
    assert rows[1][7] == sharer.name
    assert rows[1][9:12] == [sharer.email, "0302", "'+ intro"]
    assert "quiet@example.com" not in str(rows)
    assert "0303" not in str(rows)


def test_introductions_export_shows_contact_details_only_of_people_who_agreed(organizer, round_):
    introducer = AttendeeFactory(event=round_.event, consenting=True)
    pitcher = AttendeeFactory(event=round_.event, email="quiet@example.com")
    card = CardFactory(round=round_, giver=introducer, receiver=pitcher, introduce=True)
    IntroductionFactory(card=card, made=True, target="a port manager")

    rows = export(organizer, round_.event, "introductions")

    assert rows[1][2:10] == [
        introducer.name,
        introducer.company,
        introducer.email,
        "",
        pitcher.name,
        pitcher.company,
        "",
        "",
    ]
    assert rows[1][10:12] == ["a port manager", "Made"]
    assert "quiet@example.com" not in str(rows)


def test_event_export_file_is_named_after_the_event(organizer, round_):
    response = organizer.get(reverse("event_export", args=[round_.event.pk, "cards"]))

    assert response["Content-Disposition"] == (
        f'attachment; filename="{round_.event.slug}-cards.csv"'
    )


@pytest.mark.parametrize("kind", exports.KINDS)
@pytest.mark.parametrize("size", [1, 3])
def test_event_export_queries_do_not_grow_with_rows(
    organizer, round_, kind, size, django_assert_num_queries
):
    for _ in range(size):
        card = CardFactory(round=round_, introduce=True)
        IntroductionFactory(card=card)
        PitchFactory(attendee=card.giver)
    organizer.get(reverse("event_export", args=[round_.event.pk, kind]))

    with django_assert_num_queries(4):
        response = organizer.get(reverse("event_export", args=[round_.event.pk, kind]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert len(response.content) > 0
