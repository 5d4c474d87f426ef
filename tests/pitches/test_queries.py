from __future__ import annotations

import pytest
from django.utils import timezone

from pitches import queries
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, WishFactory

pytestmark = pytest.mark.django_db


def test_seating_helps_name_the_listener_a_wish_names(django_assert_num_queries):
    event = EventFactory()
    wished = AttendeeFactory(
        event=event, name="Liu Fang", company="Anshui Medical", is_listed_in_guest_list=True
    )
    stranger = AttendeeFactory(event=event, company="Kite Labs")
    pitcher = PitchFactory(attendee=AttendeeFactory(event=event), need="Lunch.").attendee
    WishFactory(author=pitcher, text="anshui medical")
    ids = [pitcher.pk, wished.pk, stranger.pk]

    with django_assert_num_queries(3):
        helps = queries.seating_helps(ids, limit=1)

    assert helps == [(pitcher.pk, wished.pk, 1.0)]


def test_seating_helps_see_a_paraphrase_when_planning_and_only_shared_words_for_the_rescue():
    """The planner seats by the meaning of the texts too; the rescue round (meaning=False)
    moves people only on shared words or a wish."""
    event = EventFactory()
    pitcher = PitchFactory(
        attendee=AttendeeFactory(event=event),
        need="Fifteen years in oil and gas, moving into renewables.",
    ).attendee
    editor = PitchFactory(
        attendee=AttendeeFactory(event=event), offer="Sold a solar mini-grid company, now a mentor."
    )
    pumps = PitchFactory(attendee=AttendeeFactory(event=event), offer="I teach yoga to teams.")
    ids = [pitcher.pk, editor.attendee.pk, pumps.attendee.pk]

    def of_pitcher(helps):
        return [(listener, chance) for who, listener, chance in helps if who == pitcher.pk]

    assert of_pitcher(queries.seating_helps(ids, limit=1)) == [(editor.attendee.pk, 0.5)]
    assert of_pitcher(queries.seating_helps(ids, limit=1, meaning=False)) == []


def test_seating_helps_never_count_a_typed_name_of_someone_off_the_guest_list():
    event = EventFactory()
    hidden = AttendeeFactory(
        event=event, name="Bob Private", company="Hidden Co", is_listed_in_guest_list=False
    )
    shown = AttendeeFactory(event=event, name="Ann Lee", is_listed_in_guest_list=True)
    pitcher = PitchFactory(attendee=AttendeeFactory(event=event), need="Lunch.").attendee
    WishFactory(author=pitcher, text="bob private", position=1)
    WishFactory(author=pitcher, text="ANN LEE", position=2)

    helps = queries.seating_helps([pitcher.pk, hidden.pk, shown.pk], limit=2)

    assert (pitcher.pk, shown.pk, 1.0) in helps
    assert all(
        chance < 1 for who, listener, chance in helps if (who, listener) == (pitcher.pk, hidden.pk)
    )


def test_seating_helps_count_a_picked_person_fully_by_id_not_by_name():
    """Two people called Liu Fang: the one picked scores 1, the namesake nothing; renaming the
    picked one changes nothing (the namesake may score by text, never fully)."""
    event = EventFactory()
    picked = AttendeeFactory(event=event, name="Liu Fang", company="Anshui Medical")
    namesake = AttendeeFactory(event=event, name="Liu Fang", company="Kite Labs")
    pitcher = PitchFactory(attendee=AttendeeFactory(event=event), need="Lunch.").attendee
    WishFactory(author=pitcher, person=picked, text="")
    picked.name = "Fang Liu-Chen"
    picked.save(update_fields=["name"])

    helps = queries.seating_helps([pitcher.pk, namesake.pk, picked.pk], limit=2)

    assert helps[0] == (pitcher.pk, picked.pk, 1.0)
    assert all(score < 1 for _pitcher, listener, score in helps if listener == namesake.pk)


def test_seating_helps_give_one_offer_one_place_except_for_the_rescue_round():
    event = EventFactory()
    offer = "I am a chartered accountant; I do tax filings for small firms."
    accountant = PitchFactory(attendee=AttendeeFactory(event=event, company="Kite Tax"))
    colleague = PitchFactory(attendee=AttendeeFactory(event=event, company="Kite Tax"))
    for pitch in (accountant, colleague):
        pitch.offer = offer
        pitch.need = "Office space."
        pitch.save()
    other = PitchFactory(
        attendee=AttendeeFactory(event=event),
        need="Office space.",
        offer="Tax advice, small firms.",
    )
    pitcher = PitchFactory(
        attendee=AttendeeFactory(event=event), need="An accountant for tax filings."
    ).attendee
    ids = [pitcher.pk, accountant.attendee_id, colleague.attendee_id, other.attendee_id]

    distinct = [(who, c) for p, who, c in queries.seating_helps(ids, limit=3) if p == pitcher.pk]
    every = [
        (who, c)
        for p, who, c in queries.seating_helps(ids, limit=3, distinct_texts=False)
        if p == pitcher.pk
    ]

    assert [who for who, _c in distinct] == [accountant.attendee_id, other.attendee_id]
    assert [who for who, _c in every][:2] == [accountant.attendee_id, colleague.attendee_id]
    assert len(every) == 3


def test_help_profiles_read_people_without_a_pitch(django_assert_num_queries):
    person = AttendeeFactory(company="Kite Labs", job_title="Designer")

    with django_assert_num_queries(3):
        (profile,) = queries.help_profiles([person.pk])

    assert (
        profile.id,
        profile.need,
        profile.company,
        profile.job_title,
        profile.wishes,
        profile.wished,
    ) == (person.pk, "", "Kite Labs", "Designer", (), frozenset())


def test_help_profiles_split_a_wish_list_into_texts_and_picked_ids():
    event = EventFactory()
    picked = AttendeeFactory(event=event)
    author = AttendeeFactory(event=event)
    WishFactory(author=author, text="investors in hardware")
    WishFactory(author=author, person=picked, text="")
    WishFactory(author=author, text="someone at a hospital group")

    (profile,) = queries.help_profiles([author.pk])

    assert profile.wishes == ("investors in hardware", "someone at a hospital group")
    assert profile.wished == frozenset({picked.pk})


@pytest.fixture
def room():
    """An event with a searching attendee and the kinds of people the guest list holds or not."""
    event = EventFactory()
    me = AttendeeFactory(event=event, name="Ana Costa", is_listed_in_guest_list=True)
    listed = AttendeeFactory(
        event=event, name="Liu Fang", company="Anshui Medical", is_listed_in_guest_list=True
    )
    PitchFactory(attendee=listed, ask="Who runs a clinic?")
    AttendeeFactory(event=event, name="Liu Unlisted", company="Anshui Medical")
    AttendeeFactory(
        event=event, name="Liu Removed", is_listed_in_guest_list=True, removed_at=timezone.now()
    )
    AttendeeFactory(
        event=event, name="Liu Erased", is_listed_in_guest_list=True, erased_at=timezone.now()
    )
    AttendeeFactory(name="Liu Elsewhere", is_listed_in_guest_list=True)  # another event
    return me, listed


def test_search_guest_list_finds_only_listed_people_of_the_event_with_their_ask(
    room, django_assert_num_queries
):
    me, listed = room

    with django_assert_num_queries(1):
        found = queries.search_guest_list(me, "liu")

    assert [(person.pk, person.ask) for person in found] == [(listed.pk, "Who runs a clinic?")]
    assert [person.pk for person in queries.search_guest_list(me, " anshui ")] == [listed.pk]


def test_search_guest_list_leaves_out_me_people_on_my_list_and_an_empty_search(room):
    me, listed = room

    assert queries.search_guest_list(me, "Ana") == []
    assert queries.search_guest_list(me, "  ") == []
    WishFactory(author=me, person=listed, text="")
    assert queries.search_guest_list(me, "liu") == []


@pytest.mark.parametrize(
    "typed", ["張偉", "张伟", "Zhang  Wei", " zhang wei ", "陳氏貿易", "陈氏贸易"]
)
def test_search_guest_list_finds_a_name_however_the_script_and_spaces_are_typed(
    typed, django_assert_num_queries
):
    """As the door's search: Traditional finds Simplified and the other way round, and two
    spaces find the one a name is stored with."""
    event = EventFactory()
    me = AttendeeFactory(event=event)
    zhang = AttendeeFactory(
        event=event, name="张伟", company="陳氏貿易", is_listed_in_guest_list=True
    )
    latin = AttendeeFactory(event=event, name="Zhang Wei", is_listed_in_guest_list=True)

    with django_assert_num_queries(1):
        found = {person.pk for person in queries.search_guest_list(me, typed)}

    assert found == ({latin.pk} if "hang" in typed else {zhang.pk})


def test_search_guest_list_shows_at_most_the_limit():
    event = EventFactory()
    me = AttendeeFactory(event=event)
    AttendeeFactory.create_batch(
        queries.GUEST_RESULTS + 1, event=event, company="Kite Labs", is_listed_in_guest_list=True
    )

    assert len(queries.search_guest_list(me, "kite")) == queries.GUEST_RESULTS


def test_wishes_of_lists_the_authors_wishes_in_order(django_assert_num_queries):
    author = AttendeeFactory()
    person = AttendeeFactory(event=author.event, name="Liu Fang")
    first = WishFactory(author=author, text="investors in hardware")
    second = WishFactory(author=author, person=person, text="")
    WishFactory(text="someone else's wish")

    with django_assert_num_queries(1):
        wishes = queries.wishes_of(author)
        names = [wish.person.name if wish.person else wish.text for wish in wishes]

    assert [wish.pk for wish in wishes] == [first.pk, second.pk]
    assert names == ["investors in hardware", "Liu Fang"]
