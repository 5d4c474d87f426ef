from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from feedback import digest
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    PitchFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db
SITE = "https://speednet.example.com"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def event():
    """Closed; it started at 19:00 in Shanghai (11:00 UTC)."""
    return EventFactory(
        closed=True,
        title="Harbour night",
        time_zone="Asia/Shanghai",
        starts_at=datetime(2025, 3, 1, 11, 0, tzinfo=UTC),
    )


@pytest.fixture
def closed_round(event):
    return RoundFactory(event=event, number=1, done=True)


def person(event, name, **fields):
    return AttendeeFactory(event=event, name=name, email=f"{name.lower()}@example.com", **fields)


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def busy(event, closed_round):
    """Me with every kind of card: Ana wants to see me, Bo can introduce me, I promised Di an
    introduction and asked to see Cy. Ana, Cy and Di share contact details, Bo does not."""
    me = person(event, "Me", consenting=True, phone="+1 555 0100")
    ana = person(event, "Ana", consenting=True, phone="+1 555 0101", company="Acme")
    bo = person(event, "Bo", phone="+1 555 0102", company="Bo Ltd")
    cy = person(event, "Cy", consenting=True)
    di = person(event, "Di", consenting=True)
    PitchFactory(attendee=ana, need="A customs broker.", offer="Warehouse space.", ask="Who?")
    PitchFactory(attendee=cy, need="A bakery supplier.", offer="Design work.", ask="Bakers?")
    PitchFactory(attendee=di, need="A freight forwarder.", offer="Legal advice.", ask="Ports?")
    CardFactory(round=closed_round, giver=ana, receiver=me)
    CardFactory(round=closed_round, giver=bo, receiver=me, introduce=True, note="my cousin Li")
    CardFactory(round=closed_round, giver=me, receiver=cy)
    promise = CardFactory(round=closed_round, giver=me, receiver=di, introduce=True)
    IntroductionFactory(card=promise, target="Ed at customs")
    return me


def test_digest_message_lists_every_kind_of_card_in_text_and_html(busy):
    message = digest.digest_message(busy)

    html = html_of(message)
    assert message.subject == "Your follow-ups from Harbour night"
    assert message.to == ["Me <me@example.com>"]
    for body in (message.body, html):
        assert "Hello Me," in body
        for heading in (
            "Want to see you",
            "Can introduce you",
            "Introductions you promised",
            "You asked to see",
        ):
            assert heading in body
        assert "A customs broker." in body
        assert "Warehouse space." in body
        assert "my cousin Li" in body
        assert "Ed at customs" in body
        assert "A freight forwarder." in body
        assert "Offered" in body
        assert "A bakery supplier." in body
        assert f"{SITE}/a/{busy.token}/leads/" in body
        assert f"{SITE}/a/{busy.token}/unsubscribe/" in body
    assert "- Ana, Acme\n  Needs: A customs broker.\n  Offers: Warehouse space." in message.body


def test_digest_message_shows_contact_details_only_where_both_agreed(busy):
    message = digest.digest_message(busy)

    html = html_of(message)
    for body in (message.body, html):
        assert "ana@example.com" in body
        assert "+1 555 0101" in body
        assert "Acme" in body
        assert "cy@example.com" in body
        assert "Bo" in body
        assert "bo@example.com" not in body
        assert "+1 555 0102" not in body
        assert "Bo Ltd" not in body


def test_digest_message_shows_no_contact_details_when_i_did_not_agree(busy):
    busy.is_consenting_to_share = False
    busy.save()

    message = digest.digest_message(busy)

    for body in (message.body, html_of(message)):
        assert "A customs broker." in body
        for detail in ("ana@example.com", "+1 555 0101", "Acme", "cy@example.com"):
            assert detail not in body
        assert "You chose not to share your contact details" in body


def test_digest_message_without_cards_is_short_and_kind(event):
    lonely = person(event, "Lonely", consent_decided_at=None)  # never asked

    message = digest.digest_message(lonely)

    for body in (message.body, html_of(message)):
        assert "You did not exchange cards this time, and that is fine." in body
        assert "Follow up with the people you met" in body
        assert f"{SITE}/a/{lonely.token}/leads/" in body
        assert "Want to see you" not in body
        # no one to share contact details with: no question about sharing them
        assert "contact details" not in body


def test_digest_message_leaves_out_people_whose_data_was_erased(event, closed_round):
    me = person(event, "Me")
    gone = person(event, "Gone", erased_at=timezone.now())
    CardFactory(round=closed_round, giver=gone, receiver=me)

    message = digest.digest_message(me)

    assert "Gone" not in message.body
    assert "You did not exchange cards this time" in message.body


def test_digest_message_shows_times_in_the_events_time_zone(busy):
    message = digest.digest_message(busy)

    assert "Thank you for coming to Harbour night (March 1, 2025, 7 p.m.)." in message.body
    assert "March 1, 2025, 7 p.m." in html_of(message)


def test_digest_message_carries_the_one_click_unsubscribe_headers(busy):
    message = digest.digest_message(busy)

    assert message.extra_headers == {
        "List-Unsubscribe": f"<{SITE}/a/{busy.token}/unsubscribe/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_digest_message_html_escapes_what_attendees_wrote(event, closed_round):
    me = person(event, "Me")
    giver = person(event, "Eve")
    PitchFactory(attendee=giver, need="<script>alert(1)</script>")
    CardFactory(round=closed_round, giver=giver, receiver=me)

    message = digest.digest_message(me)

    assert "<script>" not in html_of(message)
    assert "&lt;script&gt;" in html_of(message)
    assert "<script>alert(1)</script>" in message.body


def test_digest_message_of_a_chinese_event_is_in_chinese(busy, event):
    event.language = "zh-hans"
    event.save()
    busy.refresh_from_db()

    message = digest.digest_message(busy)

    assert message.subject == "你在 Harbour night 的后续跟进"
    for body in (message.body, html_of(message)):
        assert "Me，你好：" in body
        assert "想找你" in body
        assert "2025年3月1日 19:00" in body
    assert 'lang="zh-hans"' in html_of(message)


def test_reminder_message_lists_the_open_promises_with_links(busy):
    from feedback import queries

    promises = queries.open_promises_of(busy)

    message = digest.reminder_message(busy, promises)

    [item] = promises
    link = f"{SITE}/a/{busy.token}/leads/#introduction-{item.introduction.pk}-item"
    assert message.subject == "The introductions you promised at Harbour night"
    for body in (message.body, html_of(message)):
        assert "At Harbour night you offered an introduction that is not made yet:" in body
        assert "Di" in body
        assert "Ed at customs" in body
        assert link in body
        assert "This is the only reminder you will get." in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("count", [1, 3])
def test_digest_message_queries_do_not_grow_with_cards(
    event, closed_round, count, django_assert_num_queries
):
    me = person(event, "Me", consenting=True)
    for number in range(count):
        other = person(event, f"Other{number}", consenting=True)
        PitchFactory(attendee=other)
        CardFactory(round=closed_round, giver=other, receiver=me)
        CardFactory(round=closed_round, giver=other, receiver=me, introduce=True)
        CardFactory(round=closed_round, giver=me, receiver=other)
        IntroductionFactory(
            card=CardFactory(round=closed_round, giver=me, receiver=other, introduce=True)
        )

    with django_assert_num_queries(4):
        message = digest.digest_message(me)

    assert message.body.count("Needs:") == 4 * count


def test_digest_message_wraps_long_unbroken_words(event, closed_round):
    """A 120-character name without a space wraps inside the mail's frame (mail clients ignore
    style sheets: the frame carries the style itself)."""
    me = person(event, "Me")
    long = person(event, "W" * 120, company="https://example.com/" + "a" * 140)
    CardFactory(round=closed_round, giver=long, receiver=me)

    html = html_of(digest.digest_message(me))

    frame = html[html.index("<div") : html.index(">", html.index("<div"))]
    assert "overflow-wrap:anywhere;word-break:break-word;" in frame
    assert "W" * 120 in html


def test_digest_message_to_an_unconfirmed_email_carries_no_ones_contact_details(busy):
    """A walk-in's address typed on the phone may be mistyped, a stranger's: the digest to it
    has the cards and pitches, no one's contact details or links to them, and says where to
    see them."""
    busy.is_email_unconfirmed = True
    busy.save()

    message = digest.digest_message(busy)

    for body in (message.body, html_of(message)):
        assert "A customs broker." in body
        assert "Ed at customs" in body
        for detail in ("ana@example.com", "+1 555 0101", "Acme", "cy@example.com", "di@example"):
            assert detail not in body
        assert "/contacts/" not in body
        assert "call.ics" not in body
        assert "Contact details are not in this mail: this email address was typed" in body
        assert "open your page on the phone you used at the event" in body


@pytest.mark.parametrize(("is_email_unconfirmed", "shows"), [(True, False), (False, True)])
def test_mail_shows_contacts_only_to_a_confirmed_or_vouched_for_email(
    event, is_email_unconfirmed, shows
):
    attendee = person(event, "Bo")
    attendee.is_email_unconfirmed = is_email_unconfirmed

    assert digest.mail_shows_contacts(attendee) is shows
    assert digest.digest_content(attendee).is_withholding_contacts is not shows


@pytest.mark.parametrize(
    ("language", "whom", "status"),
    [("en", "To whom:", "Status: Met"), ("zh-hans", "引荐给：", "状态： 已见面")],
)
def test_digest_message_shows_the_introduction_as_it_stands_on_both_sides(
    event, closed_round, language, whom, status
):
    """Yuki offered Alice an introduction with a note, then made it to someone else and both
    confirmed they met: both digests name the same person and status."""
    event.language = language
    event.save()
    yuki = person(event, "Yuki")
    alice = person(event, "Alice")
    offer = CardFactory(
        round=closed_round,
        giver=yuki,
        receiver=alice,
        introduce=True,
        note="My cousin runs a logistics firm in Rotterdam",
    )
    IntroductionFactory(
        card=offer,
        target="Jan de Vries, Rotterdam Logistics BV",
        status="met",
        made_at=timezone.now(),
        met_at=timezone.now(),
    )

    mails = [digest.digest_message(yuki), digest.digest_message(alice)]

    for message in mails:
        for body in (message.body, html_of(message)):
            assert "Jan de Vries, Rotterdam Logistics BV" in body
            assert "My cousin runs" not in body
            assert re.sub(r"<[^>]+>", "", body).count(status) == 1
    assert f"  {whom} Jan de Vries, Rotterdam Logistics BV\n  {status}\n" in mails[1].body
