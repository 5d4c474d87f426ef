from __future__ import annotations

import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import exports
from feedback.models import Card
from rounds import services as round_services
from rounds.groups import attendee_group
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db


def seat_table(round_, people: int, number: int = 1) -> list:
    table = TableFactory(round=round_, number=number)
    return [SeatFactory(table=table, speaking_order=order).attendee for order in range(people)]


def shown(response) -> str:
    """The page without its <template>s (the blank stop and tablemate the phone fills from a
    re-plan's push): what the page shows."""
    return re.sub(r"<template\b.*?</template>", "", response.text, flags=re.DOTALL)


def test_room_carries_blank_stop_and_tablemate_templates(client, round_):
    me, _mate = seat_table(round_, 2)

    response = client.get(reverse("room", args=[me.token]))

    templates = re.findall(r"<template\b.*?</template>", response.text, flags=re.DOTALL)
    assert len(templates) == 2
    assert 'data-round-number="{round}"' in templates[0]
    assert 'id="seat-{seat}-person"' in templates[1]
    assert 'data-receiver="{id}"' in templates[1]


def post_card(client, attendee, **data):
    return client.post(reverse("card", args=[attendee.token]), data)


def test_room_shows_my_table_and_tablemates_with_their_ask(client, round_):
    me, mate = seat_table(round_, 2)
    PitchFactory(attendee=mate, ask="Who do you know at a port?")

    response = client.get(reverse("room", args=[me.token]))

    assert response.status_code == 200
    assert f'data-live-url="/ws/a/{me.token}/?lang=en"' in response.text
    assert "Who do you know at a port?" in response.text
    assert shown(response).count('data-card-kind="see_me"') == 1


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("check_in", True),
        ("live", True),
        ("last_round", False),
        ("mingle", False),
        ("closed", False),
    ],
)
def test_room_offers_dont_seat_me_with_only_while_a_seating_plan_can_come(client, status, offered):
    """Once no round is left to seat (the last one started, mingle, closed) the phone keeps the
    leads, pitch and details, not the keep-apart request (no plan is left for it to act on)."""
    me = AttendeeFactory(event=EventFactory(**{status: True}), checked_in=True)

    room = client.get(reverse("room", args=[me.token])).text

    assert (f'href="{reverse("apart", args=[me.token])}"' in room) is offered
    assert f'href="{reverse("leads", args=[me.token])}"' in room
    assert f'href="{reverse("my_details", args=[me.token])}"' in room


@pytest.mark.parametrize(
    ("status", "rounds", "prompt"),
    [
        ("check_in", [], "before"),
        ("live", [{"running": True}], "rounds"),
        ("live", [{"done": True}], "rounds"),  # between rounds 1 and 2
        ("live", [{"done": True}, {"done": True}, {"running": True}], "none"),  # no table to come
        ("live", [{"done": True}, {"done": True}, {"done": True}], "none"),  # the last is over
        ("mingle", [{"done": True}], "none"),
        ("closed", [{"done": True}], "none"),
    ],
    ids=["before", "running", "between", "last_running", "last_over", "mingle", "closed"],
)
def test_room_asks_for_a_pitch_in_words_true_for_the_events_state(client, status, rounds, prompt):
    """Someone without a pitch is asked to write one "before the rounds start" only until they
    start; once they have, for the rounds (each round they pitch at their table); after the
    last one, not at all. The page carries which (``data-pitch-prompt``, room.css shows that
    one), so a phone loaded fresh agrees with one left open (now.js ``pitchPromptFor``)."""
    event = EventFactory(**{status: True}, rounds_count=3, pitch_seconds=30)
    for number, traits in enumerate(rounds, start=1):
        RoundFactory(event=event, number=number, **traits)
    me = AttendeeFactory(event=event, checked_in=True)

    room = client.get(reverse("room", args=[me.token])).text

    assert f'data-pitch-prompt="{prompt}"' in room
    before = '<p class="pitch-prompt pitch-prompt-before">'
    during = '<p class="pitch-prompt pitch-prompt-rounds">'
    assert f"{before}Write your 30-second pitch before the rounds start.</p>" in room
    assert f"{during}Write your 30-second pitch now, so it is ready when you get a table.</p>" in (
        room
    )


@pytest.mark.parametrize("status", ["check_in", "live"])
def test_room_asks_no_pitch_of_someone_taken_out_of_the_rounds(client, status):
    """Removed after a report, they have no table left to pitch at."""
    event = EventFactory(**{status: True}, rounds_count=3)
    if status == "live":
        RoundFactory(event=event, number=1, running=True)
    me = AttendeeFactory(event=event, checked_in=True, removed_at=timezone.now())

    room = client.get(reverse("room", args=[me.token])).text

    assert 'data-pitch-prompt="none"' in room


NO_TABLES = "You have no more tables this evening. Please speak to an organizer."


def event_in(state: str):
    """An event of two rounds in ``state``: before the rounds, a round running, between rounds,
    the last round running, the last one over, mingle, closed."""
    status = {"check_in": "check_in", "mingle": "mingle", "closed": "closed"}.get(state, "live")
    event = EventFactory(**{status: True}, rounds_count=2)
    first = {"running": {"running": True}}.get(state, {"done": True})
    if state != "check_in":
        RoundFactory(event=event, number=1, **first)
    if state == "last_round":
        RoundFactory(event=event, number=2, running=True)
    elif state in {"last_over", "mingle", "closed"}:
        RoundFactory(event=event, number=2, done=True)
    return event


ROOM_STATES = ["check_in", "running", "between", "last_round", "last_over", "mingle", "closed"]


@pytest.mark.parametrize("state", ROOM_STATES)
def test_room_of_someone_taken_out_of_the_rounds_says_only_no_more_tables(client, state):
    """Removed after a report, in any state (during or after the last round too): the page's
    instruction is the neutral notice from the first paint (the kind static/js/now.js gives
    them, which room.css follows: no table, no cards section, My leads), never the mingle
    invitation, and the notice is said once."""
    me = AttendeeFactory(event=event_in(state), checked_in=True, removed_at=timezone.now())

    room = client.get(reverse("room", args=[me.token])).text

    assert 'data-now="removed"' in room
    assert f'data-now-text data-table="" data-round="">{NO_TABLES}</p>' in room
    assert room.count(NO_TABLES) == 2  # the status, and the room's texts for now.js
    assert 'data-removed="true"' in room


@pytest.mark.parametrize("state", ROOM_STATES)
def test_room_of_someone_in_the_rounds_starts_connecting(client, state):
    me = AttendeeFactory(event=event_in(state), checked_in=True)

    room = client.get(reverse("room", args=[me.token])).text

    assert 'data-now="connecting"' in room
    assert 'data-now-text data-table="" data-round="">Connecting…</p>' in room
    assert NO_TABLES not in room.split('id="room-texts"')[0]


def test_room_asks_for_a_pitch_in_chinese_for_the_rounds_under_way(client):
    event = EventFactory(live=True, language="zh-hans", pitch_seconds=30)
    RoundFactory(event=event, number=1, running=True)
    me = AttendeeFactory(event=event, checked_in=True)

    room = client.get(reverse("room", args=[me.token])).text

    assert 'data-pitch-prompt="rounds"' in room
    assert "现在就写好你的 30 秒自我介绍，入座时就能用上。" in room


def test_room_of_an_unknown_token_is_not_found(client):
    assert client.get(reverse("room", args=["guessed-token"])).status_code == 404


def test_room_shows_only_my_own_cards(client, round_):
    me, mate, other = seat_table(round_, 3)
    CardFactory(round=round_, giver=mate, receiver=me)
    CardFactory(round=round_, giver=me, receiver=other, kind="introduce", note="secret note")
    CardFactory(round=round_, giver=mate, receiver=other, kind="introduce", note="not for me")

    response = client.get(reverse("room", args=[me.token]))

    assert [card.giver_id for card in response.context["received"]] == [mate.pk]
    assert "not for me" not in response.text


@pytest.mark.parametrize("tablemates", [1, 3])
def test_room_queries_do_not_grow_with_tablemates(
    client, round_, tablemates, django_assert_num_queries
):
    me, *others = seat_table(round_, tablemates + 1)
    for other in others:
        PitchFactory(attendee=other)
        CardFactory(round=round_, giver=other, receiver=me)
    client.get(reverse("room", args=[me.token]))  # the first visit creates the session

    # attendee with event and pitch; the state's plan check and current round; the itinerary
    # (three); the cards received
    with django_assert_num_queries(7):
        response = client.get(reverse("room", args=[me.token]))

    assert response.status_code == 200
    state = response.context["live_state"]
    assert (state["type"], state["round"]["number"]) == ("state", 1)
    assert shown(response).count('class="tablemate"') == tablemates + 1
    assert response.text.count('id="card-') == tablemates


@pytest.mark.parametrize("tablemates", [1, 3])
def test_room_fragments_queries_do_not_grow_with_tablemates(
    client, round_, tablemates, django_assert_num_queries
):
    me, *others = seat_table(round_, tablemates + 1)
    for other in others:
        CardFactory(round=round_, giver=other, receiver=me)

    open_link(client, me.token)  # the phone's first opening binds it (one write)
    with django_assert_num_queries(4):
        itinerary = client.get(reverse("room_itinerary", args=[me.token]))
    with django_assert_num_queries(2):
        received = client.get(reverse("room_received", args=[me.token]))

    assert itinerary.text.count('class="tablemate"') == tablemates + 1
    assert 'data-checked-in="true"' in itinerary.text
    assert received.text.count('id="card-') == tablemates


def test_room_fragments_need_a_real_token(client):
    for name in ("room_itinerary", "room_received"):
        assert client.get(reverse(name, args=["not-a-token"])).status_code == 404


def test_card_give_then_repeat_then_take_back(client, round_):
    pitcher, listener = seat_table(round_, 2)
    tap = str(uuid.uuid4())
    give = {
        "action": "give",
        "client_id": tap,
        "receiver": pitcher.pk,
        "round": 1,
        "kind": "see_me",
    }

    first = post_card(client, listener, **give)
    again = post_card(client, listener, **give)
    back = post_card(client, listener, action="take_back", client_id=tap, round=1)

    assert first.status_code == again.status_code == back.status_code == 200
    assert first.json()["client_id"] == tap
    assert first.json()["card"] == again.json()["card"]
    assert first.json()["other_round"] is False
    assert back.json() == {"client_id": tap, "is_given": False}
    assert not Card.objects.exists()


def test_card_taken_back_from_another_round_is_refused_and_stays(client, round_):
    pitcher, listener = seat_table(round_, 2)
    tap = str(uuid.uuid4())
    post_card(
        client, listener, action="give", client_id=tap, receiver=pitcher.pk, round=1, kind="see_me"
    )

    back = post_card(client, listener, action="take_back", client_id=tap, round=2)

    assert back.status_code == 400
    assert back.json() == {"error": "This card was given in another round; it stays given."}
    assert Card.objects.filter(client_id=tap).exists()


def test_card_take_back_without_its_round_is_refused_and_the_card_stays(client, round_):
    """The round names the stop the tap came from: without it, a crafted take-back would reach a
    card given in another round."""
    pitcher, listener = seat_table(round_, 2)
    tap = str(uuid.uuid4())
    post_card(
        client, listener, action="give", client_id=tap, receiver=pitcher.pk, round=1, kind="see_me"
    )

    back = post_card(client, listener, action="take_back", client_id=tap)

    assert back.status_code == 400
    assert "round" in back.json()["error"]
    assert Card.objects.filter(client_id=tap).exists()


def test_card_to_another_table_is_refused_with_the_reason(client, round_):
    _, listener = seat_table(round_, 2)
    [stranger] = seat_table(round_, 1, number=2)

    response = post_card(
        client,
        listener,
        action="give",
        client_id=str(uuid.uuid4()),
        receiver=stranger.pk,
        round=1,
        kind="see_me",
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Cards go to people at your table."}


def test_card_to_someone_of_another_event_is_refused(client, round_):
    _, listener = seat_table(round_, 2)
    outsider = AttendeeFactory()

    response = post_card(
        client,
        listener,
        action="give",
        client_id=str(uuid.uuid4()),
        receiver=outsider.pk,
        round=1,
        kind="see_me",
    )

    assert response.status_code == 400
    assert not Card.objects.exists()


def test_card_cannot_take_back_someone_elses_card(client, round_):
    pitcher, listener, other = seat_table(round_, 3)
    card = CardFactory(round=round_, giver=listener, receiver=pitcher)

    response = post_card(client, other, action="take_back", client_id=str(card.client_id), round=1)

    assert response.status_code == 200
    assert Card.objects.filter(pk=card.pk).exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"action": "give", "client_id": "not-a-uuid"}, "client_id: Enter a valid UUID."),
        ({"action": "steal", "client_id": str(uuid.uuid4())}, "action: Select a valid choice."),
        ({"action": "give", "client_id": str(uuid.uuid4())}, "receiver: This field is required."),
    ],
)
def test_card_bad_input_is_a_clear_400(client, round_, data, error):
    _, listener = seat_table(round_, 2)

    response = post_card(client, listener, **data)

    assert response.status_code == 400
    assert error in response.json()["error"]


def test_card_with_an_unknown_token_is_not_found(client, round_):
    response = client.post(reverse("card", args=["nope"]), {"action": "take_back"})

    assert response.status_code == 404


@pytest.fixture
def pair(round_):
    """A pitcher and a listener at one table, both sharing contact details."""
    pitcher, listener = seat_table(round_, 2)
    for person in (pitcher, listener):
        person.is_consenting_to_share = True
        person.consent_decided_at = timezone.now()
        person.phone = "+1 555 0100"
        person.save()
    return pitcher, listener


def test_leads_lists_each_kind_with_table_and_contact_when_both_agreed(client, round_, pair):
    pitcher, listener = pair
    PitchFactory(attendee=listener, need="A customs broker.")
    CardFactory(round=round_, giver=listener, receiver=pitcher)
    CardFactory(
        round=round_, giver=listener, receiver=pitcher, kind="introduce", note="Ana at Port"
    )

    response = client.get(reverse("leads", args=[pitcher.token]))

    leads = response.context["leads"]
    assert [lead.person for lead in leads.want_to_see_me] == [listener]
    assert [(lead.person, lead.note) for lead in leads.can_introduce_me] == [
        (listener, "Ana at Port")
    ]
    assert leads.i_asked_to_see == []
    assert leads.want_to_see_me[0].last_table == 1
    assert "A customs broker." in response.text
    assert listener.email in response.text
    assert reverse("contact_vcard", args=[pitcher.token, listener.pk]) in response.text


def test_leads_hide_contact_details_unless_both_agreed(client, round_, pair):
    pitcher, listener = pair
    listener.is_consenting_to_share = False
    listener.save()
    CardFactory(round=round_, giver=listener, receiver=pitcher)

    response = client.get(reverse("leads", args=[pitcher.token]))

    assert listener.name in response.text
    assert listener.email not in response.text
    assert "+1 555 0100" not in response.text


def test_leads_show_only_my_own_cards(client, round_, pair):
    pitcher, listener = pair
    outsider = seat_table(round_, 1, number=2)[0]
    CardFactory(round=round_, giver=listener, receiver=pitcher)

    response = client.get(reverse("leads", args=[outsider.token]))

    assert response.context["leads"].is_empty
    assert pitcher.name not in response.text


@pytest.mark.parametrize(
    ("status", "empty"),
    [
        ("live", "No cards yet. Cards you give and receive during the rounds appear here."),
        ("mingle", "No cards yet. Cards you give and receive during the rounds appear here."),
        ("closed", "You gave and received no cards at this event."),
    ],
)
def test_leads_without_cards_say_what_is_true_then(client, status, empty):
    """Cards are given until the close: before it the empty page says they will appear, after
    it that none were given or received (none can come any more)."""
    me = AttendeeFactory(event=EventFactory(**{status: True}), checked_in=True)

    page = client.get(reverse("leads", args=[me.token]))

    assert page.context["leads"].is_empty
    assert empty in page.text
    if status == "closed":
        assert "No cards yet" not in page.text


def test_leads_of_someone_who_only_promised_an_introduction_do_not_say_no_cards(client):
    """An "I can introduce you" card given is a promise on the leads page, not a lead: the page
    must not say no card was given above the promise."""
    event = EventFactory(closed=True)
    promise = IntroductionFactory(card__round__event=event, card__note="my cousin at a hospital")
    me = promise.card.giver

    page = client.get(reverse("leads", args=[me.token]))

    assert page.context["leads"].is_empty  # nobody wants to see me, nor I them
    assert "You promised" in page.text
    assert "my cousin at a hospital" in page.text
    assert "You gave and received no cards at this event." not in page.text
    assert "No cards yet" not in page.text


def test_leads_without_cards_after_the_close_speak_chinese_to_a_chinese_phone(client):
    me = AttendeeFactory(event=EventFactory(closed=True), checked_in=True)

    page = client.get(reverse("leads", args=[me.token]), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert "你在本次活动中没有给出或收到卡片。" in page.text


@pytest.mark.parametrize("cards", [1, 3])
def test_leads_queries_do_not_grow_with_cards(client, round_, cards, django_assert_num_queries):
    me, *others = seat_table(round_, cards + 1)
    for other in others:
        PitchFactory(attendee=other)
        CardFactory(round=round_, giver=other, receiver=me)
        CardFactory(round=round_, giver=me, receiver=other)

    open_link(client, me.token)  # the phone's first opening binds it (one write)
    with django_assert_num_queries(5):
        response = client.get(reverse("leads", args=[me.token]))

    assert response.status_code == 200
    assert all(other.name in response.text for other in others)


def test_contact_vcard_downloads_when_linked_and_both_agreed(client, round_, pair):
    pitcher, listener = pair
    CardFactory(round=round_, giver=listener, receiver=pitcher)

    response = client.get(reverse("contact_vcard", args=[pitcher.token, listener.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert f"FN:{listener.name}\r\n" in body
    assert f"EMAIL;TYPE=INTERNET:{listener.email}\r\n" in body
    assert "TEL;TYPE=CELL:+1 555 0100\r\n" in body


def test_contact_vcard_refused_without_a_card_between_us(client, round_, pair):
    pitcher, listener = pair

    response = client.get(reverse("contact_vcard", args=[pitcher.token, listener.pk]))

    assert response.status_code == 404


def test_contact_vcard_refused_when_the_other_did_not_agree(client, round_, pair):
    pitcher, listener = pair
    CardFactory(round=round_, giver=listener, receiver=pitcher)
    listener.is_consenting_to_share = False
    listener.save()

    response = client.get(reverse("contact_vcard", args=[pitcher.token, listener.pk]))

    assert response.status_code == 404


def test_contact_vcard_of_another_event_is_refused(client, round_, pair):
    pitcher, _ = pair
    outsider = AttendeeFactory(consenting=True)

    response = client.get(reverse("contact_vcard", args=[pitcher.token, outsider.pk]))

    assert response.status_code == 404


def test_vcard_escapes_special_characters():
    person = AttendeeFactory.build(name="Ana; Li", company="A,B", email="", job_title="", phone="")

    assert exports.vcard(person, note="line\nbreak") == (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\\; Li\r\nN:;Ana\\; Li;;;\r\nNOTE:line\\nbreak\r\n"
        "ORG:A\\,B\r\nEND:VCARD\r\n"
    )


# A no-show (never checked in) opening their link after the close.


def test_room_after_the_close_of_a_no_show_neither_thanks_nor_asks(client):
    no_show = AttendeeFactory(event=EventFactory(closed=True))
    came = AttendeeFactory(event=no_show.event, checked_in=True)

    absent_page = client.get(reverse("room", args=[no_show.token]))
    present_page = Client().get(reverse("room", args=[came.token]))

    assert absent_page.context["texts"]["closed_absent"] == "The event is closed."
    assert reverse("report_problem", args=[no_show.token]) not in absent_page.text
    assert f'id="attendee-{no_show.pk}-consent"' not in absent_page.text
    assert reverse("report_problem", args=[came.token]) in present_page.text
    assert f'id="attendee-{came.pk}-consent"' in present_page.text


def test_room_after_the_close_of_a_no_show_with_a_card_still_asks_to_share(client):
    """A card links them to someone (checked in once, then undone): whether to share still
    matters to that person."""
    card = CardFactory(round__event=EventFactory(closed=True))
    no_show = card.receiver

    page = client.get(reverse("room", args=[no_show.token]))

    assert no_show.checked_in_at is None
    assert f'id="attendee-{no_show.pk}-consent"' in page.text


@pytest.mark.parametrize("is_email_unconfirmed", [True, False])
def test_leads_and_downloads_of_an_unconfirmed_email_show_contacts_on_the_phone_only(
    round_, is_email_unconfirmed
):
    """The digest to a walk-in's typed email carries the personal link; if the address was a
    stranger's, the link on their browser shows no one's contact details, on the page or in
    the downloads, while the walk-in's own phone (and any browser of a vouched email) does."""
    me = AttendeeFactory(
        event=round_.event,
        consenting=True,
        email="walk.in@example.com",
        is_email_unconfirmed=is_email_unconfirmed,
    )
    ana = AttendeeFactory(
        event=round_.event, name="Ana", consenting=True, email="ana@example.com", company="Acme"
    )
    CardFactory(round=round_, giver=ana, receiver=me)
    phone, stranger = Client(), Client()
    open_link(phone, me.token)
    urls = [
        reverse("leads", args=[me.token]),
        reverse("leads_csv", args=[me.token]),
        reverse("leads_vcf", args=[me.token]),
        reverse("contact_vcard", args=[me.token, ana.pk]),
        reverse("call_proposal", args=[me.token, ana.pk]),
    ]

    on_phone = [phone.get(url) for url in urls]
    elsewhere = [stranger.get(url) for url in urls]

    assert [response.status_code for response in on_phone] == [200] * 5
    assert all("ana@example.com" in response.content.decode() for response in on_phone)
    if is_email_unconfirmed:
        assert [response.status_code for response in elsewhere] == [200, 200, 200, 404, 404]
        assert not any("ana@example.com" in response.content.decode() for response in elsewhere)
        assert "Ana" in elsewhere[0].text
        assert f'id="attendee-{me.pk}-confirm-to-see-contacts"' in elsewhere[0].text
    else:
        assert [response.status_code for response in elsewhere] == [200] * 5
        assert all("ana@example.com" in response.content.decode() for response in elsewhere)
        assert "confirm-to-see-contacts" not in elsewhere[0].text


@pytest.mark.parametrize("paused", [False, True])
def test_room_of_a_walk_in_seated_by_a_re_plan_during_a_round_carries_their_first_table(
    client, listen, django_capture_on_commit_callbacks, paused
):
    event = EventFactory(check_in=True, rounds_count=4, table_size=4, round_seconds=180)
    AttendeeFactory.create_batch(8, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)
    first = round_services.start_round(event.rounds.get(number=1), by=None)
    if paused:
        round_services.pause_round(first, by=None)
    mia = AttendeeFactory(event=event, name="Mia Walk", checked_in=True)
    phone = listen(attendee_group(mia.pk))

    with django_capture_on_commit_callbacks(execute=True):
        round_services.replan(event, by=None, time_limit=0.2)

    seat = mia.seats.select_related("table", "round").order_by("round__number").first()
    assert seat.round.number == 2
    [push] = phone.messages()
    assert push["stops"][0]["round"] == 2
    assert push["stops"][0]["table"] == seat.table.number
    response = client.get(reverse("room", args=[mia.token]))
    page = shown(response)
    assert 'data-round-number="1"' not in page
    assert f'data-round-number="2" data-table-number="{seat.table.number}"' in page
    texts = json.loads(re.search(r'id="room-texts"[^>]*>(.*?)</script>', response.text).group(1))
    assert texts["joins_later"] == "You join from round {round} — your first table: {table}"
