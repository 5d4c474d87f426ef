"""The phone's "why this table" line: one line from a tablemate's offer, never a wish list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Attendee
from feedback import queries
from tests.factories import PitchFactory, SeatFactory, TableFactory, WishFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db


def seat(table, order: int, *, wishes: tuple[str | Attendee, ...] = (), **pitch):
    attendee = SeatFactory(table=table, speaking_order=order).attendee
    PitchFactory(attendee=attendee, ask="", **pitch)
    for wish in wishes:
        if isinstance(wish, Attendee):
            WishFactory(author=attendee, person=wish, text="")
        else:
            WishFactory(author=attendee, text=wish)
    return attendee


@pytest.fixture
def table(round_):
    return TableFactory(round=round_, number=1)


def test_room_itinerary_says_why_a_tablemate_may_help(client, table):
    need = "Our books are a mess: we need an accountant for Chinese tax."
    me = seat(table, 0, need=need, offer="")
    lucas = seat(
        table,
        1,
        need="",
        offer="I run the tax and bookkeeping desk of an accounting firm. Ask me anything.",
        wishes=(me, "someone at a hospital group"),
    )
    seat(table, 2, need="", offer="")

    open_link(client, me.token)
    page = client.get(reverse("room_itinerary", args=[me.token])).text

    assert page.count('class="why"') == 1
    assert (
        f"May help you: <bdi>{lucas.name}</bdi>: "
        "<bdi>I run the tax and bookkeeping desk of an accounting firm.</bdi>" in page
    )
    assert "Ask me anything" not in page.split('class="why"')[1].split("</p>")[0]
    assert "hospital group" not in page  # Lucas's wish list, which names me, stays private


def test_room_itinerary_never_shows_my_wish_list_to_the_person_wished_for(client, table):
    me = seat(table, 0, need="Lunch places.", offer="I know every lunch place in Wangjing.")
    wisher = seat(table, 1, need="", offer="", wishes=(me, "investors in hardware"))

    open_link(client, me.token)
    page = client.get(reverse("room_itinerary", args=[me.token])).text

    assert "investors in hardware" not in page
    assert 'class="why"' not in page  # the wisher offers nothing: no line about them
    assert wisher.name in page


def test_why_for_names_only_tablemates_with_an_offer_that_answers_the_need(table):
    me = seat(table, 0, need="A battery cell supplier for our e-bikes.", offer="")
    supplier = seat(table, 1, need="", offer="We make lithium battery cells for e-bikes.")
    seat(table, 2, need="", offer="")

    stops = queries.room_itinerary(me.pk)

    lines = {mate.seat.attendee_id: mate.why for mate in stops[0].tablemates if mate.why}
    assert lines == {supplier.pk: "We make lithium battery cells for e-bikes."}


def paraphrase_table(table) -> tuple[Attendee, Attendee, Attendee]:
    """A need, an offer that answers it in other words (cosine 0.44), and an offer that does
    not; no company, so the factory's names do not change what the model reads."""
    me = seat(table, 0, need="Fifteen years in oil and gas, moving into renewables.", offer="")
    mentor = seat(table, 1, need="", offer="Sold a solar mini-grid company, now a mentor.")
    yoga = seat(table, 2, need="", offer="I teach yoga to office teams.")
    Attendee.objects.filter(pk__in=[me.pk, mentor.pk, yoga.pk]).update(company="")
    return me, mentor, yoga


def test_room_itinerary_explains_a_seat_the_meaning_made(client, table, monkeypatch):
    """A tablemate who shares no word with my need, but whose offer means what I need: the
    line shows once the texts are embedded (the plan embeds them); until then the page shows
    what the words see and asks the background to embed the texts."""
    from pitches import warming

    asked: list[set[int]] = []
    monkeypatch.setattr(warming, "warm_attendees_later", lambda ids: asked.append(set(ids)))
    me, mentor, yoga = paraphrase_table(table)
    open_link(client, me.token)  # the phone's home page lists the itinerary too
    asked.clear()

    page = client.get(reverse("room_itinerary", args=[me.token])).text

    assert 'class="why"' not in page
    assert asked == [{me.pk, mentor.pk, yoga.pk}]

    warming.warm_now("event", me.event_id)
    asked.clear()
    page = client.get(reverse("room_itinerary", args=[me.token])).text

    assert page.count('class="why"') == 1
    assert (
        f"May help you: <bdi>{mentor.name}</bdi>: "
        "<bdi>Sold a solar mini-grid company, now a mentor.</bdi>" in page
    )
    assert asked == []


def test_a_replans_push_says_what_the_page_says_of_a_seat_the_meaning_made(table):
    """The push of a re-plan (``rounds.queries.why_lines_of``) reads the held meaning too."""
    from pitches import warming
    from rounds.queries import why_lines_of

    me, mentor, _yoga = paraphrase_table(table)
    warming.warm_now("event", me.event_id)

    pushed = why_lines_of([me.pk])[me.pk]

    assert pushed == {mentor.pk: "Sold a solar mini-grid company, now a mentor."}
    page = {
        mate.seat.attendee_id: mate.why
        for stop in queries.room_itinerary(me.pk)
        for mate in stop.tablemates
        if mate.why
    }
    assert page == pushed
