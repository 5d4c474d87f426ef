"""vCards (vobject) and calendar files (icalendar): hostile names round-trip as one contact each,
lines fold at 75 octets, N has family and given names; the call proposal is a meeting request."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from feedback import digest, exports
from tests.factories import AttendeeFactory, CardFactory, EventFactory, RoundFactory

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    "Ana\r\nURL:https://evil.example.com",
    "Bo\nEND:VCARD\nBEGIN:VCARD\nFN:Injected",
    "Cy\x0bTEL:+1 555 0000",
    "Di\x85EMAIL:di@evil.example.com",
    "Ed\u2028NOTE:owned\u2029X-Y:z",
    "Fay; Gil, \\Hal\\",
    "Zoë\u200b\u202eYrtneC",
]


def octets(line: str) -> int:
    return len(line.encode("utf-8"))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_vcard_hostile_name_round_trips_as_one_contact_with_nothing_injected(name):
    person = AttendeeFactory.build(name=name, email="p@example.com", phone="", company="")

    text = exports.vcard(person, note=f"Met at night.\n{name}")

    cards = list(vobject.readComponents(text))
    assert len(cards) == 1
    [card] = cards
    assert card.fn.value == exports.vcard_text(name)
    assert "\n" not in card.fn.value
    assert "\r" not in card.fn.value
    assert {child.name for child in card.getChildren()} == {"VERSION", "FN", "N", "EMAIL", "NOTE"}
    assert [email.value for email in card.contents["email"]] == ["p@example.com"]


def test_vcard_text_drops_every_kind_of_line_break_and_control():
    assert exports.vcard_text("a\r\nb\x0bc\x85d\u2028e\u2029f\x00g\u200bh") == "a b c d e fgh"
    assert exports.vcard_text("a\r\nb\x0bc", multiline=True) == "a\nb\nc"


def test_vcard_lines_fold_at_75_octets_and_unfold_to_the_same_value():
    name = "王" * 40 + " " + "Costa" * 10
    person = AttendeeFactory.build(
        name=name, company="上海" * 30, email="", phone="", job_title="x" * 200
    )

    text = exports.vcard(person, note="备注" * 80)

    assert text.endswith("\r\n")
    assert max(octets(line) for line in text.split("\r\n")) <= 75
    card = vobject.readOne(text)
    assert card.fn.value == name
    assert card.note.value == "备注" * 80
    assert card.title.value == "x" * 200


@pytest.mark.parametrize(
    ("name", "given", "family", "parts"),
    [
        ("王小明", "", "", ("", "王小明")),
        ("欧阳娜娜", "", "", ("", "欧阳娜娜")),
        ("Ana María Costa", "", "", ("", "Ana María Costa")),
        ("Madonna", "", "", ("", "Madonna")),
        ("李 雷", "", "", ("", "李 雷")),
        (
            "Walter 🙂 <img src=x onerror=alert(9)>",
            "",
            "",
            ("", "Walter 🙂 <img src=x onerror=alert(9)>"),
        ),
        ("Ana María Costa Pérez", "Ana María", "Costa Pérez", ("Costa Pérez", "Ana María")),
        ("李娜", "娜", "李", ("李", "娜")),
    ],
)
def test_vcard_n_takes_the_attendees_name_parts(name, given, family, parts):
    person = AttendeeFactory.build(name=name, given_name=given, family_name=family, email="")

    card = vobject.readOne(exports.vcard(person))

    assert (card.n.value.family, card.n.value.given) == parts


def test_vcard_fn_is_always_the_full_name():
    person = AttendeeFactory.build(name="Walter 🙂 <img src=x onerror=alert(9)>", email="")

    card = vobject.readOne(exports.vcard(person))

    assert card.fn.value == "Walter 🙂 <img src=x onerror=alert(9)>"
    assert "N:;Walter 🙂 <img src=x onerror=alert(9)>;;;" in exports.vcard(person)


def test_vcard_without_consent_leaves_out_every_channel():
    person = AttendeeFactory.build(
        name="Ana",
        email="ana@example.com",
        phone="+49 170 5550123",
        wechat_id="ana_costa",
        linkedin_url="https://www.linkedin.com/in/ana",
    )

    shared = vobject.readOne(exports.vcard(person))
    private = vobject.readOne(exports.vcard(person, with_contact=False))

    assert shared.email.value == "ana@example.com"
    assert shared.tel.value == "+49 170 5550123"
    assert shared.url.value == "https://www.linkedin.com/in/ana"
    assert shared.impp.value == "weixin:ana_costa"
    assert {child.name for child in private.getChildren()} == {"VERSION", "FN", "N", "ORG"}


# The call proposal (METHOD:REQUEST) and the event's calendar entry.


@pytest.fixture
def see_me_pair(db):
    event = EventFactory(closed=True, title="Harbour night", time_zone="Asia/Shanghai")
    round_ = RoundFactory(event=event, number=1, done=True)
    me = AttendeeFactory(
        event=event, name='Me "Boss"\r\nX: y', email="me@example.com", consenting=True
    )
    ana = AttendeeFactory(event=event, name="Ana Costa", email="ana@example.com", consenting=True)
    CardFactory(round=round_, giver=ana, receiver=me)
    return me, ana


def test_call_proposal_is_a_20_minute_request_on_the_next_weekday_morning(see_me_pair):
    me, ana = see_me_pair
    friday_evening = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai

    calendar = icalendar.Calendar.from_ical(
        exports.call_proposal(me, ana, now=friday_evening).to_ical()
    )

    assert str(calendar["method"]) == "REQUEST"
    [entry] = calendar.walk("VEVENT")
    starts = entry.decoded("dtstart")
    assert starts == datetime(2025, 3, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert entry.decoded("dtend") - starts == timedelta(minutes=20)
    assert str(entry["organizer"]) == "mailto:me@example.com"
    assert str(entry["attendee"]) == "mailto:ana@example.com"
    assert entry["organizer"].params["CN"] == "Me 'Boss' X: y"
    assert str(entry["summary"]) == '20-minute call: Me "Boss" X: y and Ana Costa'
    assert (
        str(entry["uid"])
        == f"call-{me.event_id}-{'-'.join(sorted([str(me.pk), str(ana.pk)]))}@127.0.0.1"
    )
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == [
        str(entry.decoded("dtstart").tzinfo)
    ]


def test_call_proposal_view_needs_both_to_share(client, see_me_pair):
    me, ana = see_me_pair
    url = reverse("call_proposal", args=[me.token, ana.pk])

    shared = client.get(url)
    ana.is_consenting_to_share = False
    ana.save()
    private = client.get(url)

    assert shared.status_code == 200
    assert shared["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert b"METHOD:REQUEST" in shared.content
    assert private.status_code == 404


def test_call_proposal_view_refuses_someone_without_a_card_between_them(client, see_me_pair):
    me, _ = see_me_pair
    stranger = AttendeeFactory(event=me.event, consenting=True)

    response = client.get(reverse("call_proposal", args=[me.token, stranger.pk]))

    assert response.status_code == 404


def test_digest_offers_the_vcard_and_the_call_for_each_see_me_pair(settings, see_me_pair):
    settings.SITE_URL = "https://speednet.example.com"
    me, ana = see_me_pair

    message = digest.digest_message(me)

    site = "https://speednet.example.com"
    vcard = site + reverse("contact_vcard", args=[me.token, ana.pk])
    call = site + reverse("call_proposal", args=[me.token, ana.pk])
    for body in (message.body, message.alternatives[0][0]):
        assert vcard in body
        assert call in body


def test_event_calendar_has_the_time_in_the_events_zone_and_the_personal_link():
    event = EventFactory.build(
        pk=7,
        title="Harbour\r\nnight",
        venue="Pier 3",
        time_zone="Europe/Berlin",
        starts_at=datetime(2025, 6, 1, 17, 0, tzinfo=UTC),
        rounds_count=6,
        round_seconds=180,
    )

    calendar = icalendar.Calendar.from_ical(
        exports.event_calendar(event, url="https://s.example.com/a/t/").to_ical()
    )

    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == datetime(
        2025, 6, 1, 19, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")
    )
    assert entry.decoded("dtend") - entry.decoded("dtstart") == timedelta(minutes=48)
    assert (str(entry["summary"]), str(entry["location"])) == ("Harbour night", "Pier 3")
    assert str(entry["url"]) == "https://s.example.com/a/t/"
    assert timezone.is_aware(entry.decoded("dtstart"))
    [zone] = calendar.walk("VTIMEZONE")  # the zone its TZID names, defined (RFC 5545, 3.6.5)
    assert str(zone["tzid"]) == "Europe/Berlin"


def test_call_proposal_speaks_the_attendees_language(see_me_pair):
    me, ana = see_me_pair
    me.language = "zh-hans"

    calendar = exports.call_proposal(me, ana, now=timezone.now())

    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]).startswith("20 分钟通话：")
