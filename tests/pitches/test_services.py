from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Attendee, Event
from feedback import retention
from pitches import services
from pitches.models import MAX_WISHES, Pitch, Wish
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, WishFactory

pytestmark = pytest.mark.django_db


def test_save_pitch_creates_then_replaces():
    attendee = AttendeeFactory()

    services.save_pitch(attendee, need="A bookkeeper.", offer="Check-ups.", ask="Who?")
    pitch = services.save_pitch(attendee, need=" A lawyer. ", offer="", ask="Who do you know?")

    assert Pitch.objects.count() == 1
    assert (pitch.need, pitch.offer, pitch.ask) == ("A lawyer.", "", "Who do you know?")


def test_save_pitch_refuses_a_pitch_longer_than_the_event_allows_and_keeps_the_old_one():
    attendee = AttendeeFactory(event=EventFactory(pitch_seconds=10))
    PitchFactory(attendee=attendee, need="short", offer="", ask="")

    with pytest.raises(ValidationError) as error:
        services.save_pitch(attendee, need="word " * 30, offer="", ask="")

    assert error.value.messages == [
        "This pitch takes about 12 seconds to say; the limit is 10 seconds. Cut about 5 words."
    ]
    assert Pitch.objects.get(attendee=attendee).need == "short"


def test_save_pitch_takes_a_33_character_chinese_pitch_in_10_seconds():
    attendee = AttendeeFactory(event=EventFactory(pitch_seconds=10))
    text = "我需要认识有自己车队的物流公司我分享区域承运商的基准数据你认识谁吗"

    pitch = services.save_pitch(attendee, need=text, offer="", ask="")

    assert (len(text), pitch.spoken_seconds) == (33, 9)


def test_save_pitch_refuses_a_chinese_pitch_over_the_limit_and_says_how_many_characters_to_cut():
    attendee = AttendeeFactory(event=EventFactory(pitch_seconds=10))

    with pytest.raises(ValidationError) as error:
        services.save_pitch(attendee, need="我需要物流客户" * 7, offer="", ask="")

    assert error.value.messages == [  # 49 characters at 4 a second: 12.25 s, 9 characters over
        "This pitch takes about 13 seconds to say; the limit is 10 seconds. Cut about 9 words."
    ]
    assert not Pitch.objects.filter(attendee=attendee).exists()


def test_save_pitch_leaves_the_wish_list_alone():
    attendee = AttendeeFactory()
    wish = WishFactory(author=attendee, text="investors in hardware")

    services.save_pitch(attendee, need="A lawyer.", offer="", ask="")

    assert list(Wish.objects.values_list("pk", "text")) == [(wish.pk, "investors in hardware")]


@pytest.fixture
def author():
    return AttendeeFactory(name="Ana Costa")


def listed(author, **fields):
    return AttendeeFactory(event=author.event, is_listed_in_guest_list=True, **fields)


def wish_list(author) -> list[tuple[int, int | None, str]]:
    return list(
        Wish.objects.filter(author=author)
        .order_by("position")
        .values_list("position", "person_id", "text")
    )


def test_add_wish_appends_picked_people_and_kinds_in_order(author):
    person = listed(author)

    services.add_wish(author, person_id=person.pk)
    services.add_wish(author, text="  investors   in hardware ")

    assert wish_list(author) == [(1, person.pk, ""), (2, None, "investors in hardware")]


def test_add_wish_refuses_a_sixth_and_keeps_the_five(author):
    for n in range(MAX_WISHES):
        services.add_wish(author, text=f"kind {n}")

    with pytest.raises(ValidationError) as refusal:
        services.add_wish(author, person_id=listed(author).pk)

    assert refusal.value.messages == [
        "Your wish list is full (5 wishes): remove one to add another."
    ]
    assert [text for _position, _person, text in wish_list(author)] == [
        f"kind {n}" for n in range(MAX_WISHES)
    ]


@pytest.mark.parametrize(
    "who",
    ["another_event", "unlisted", "removed", "erased", "unknown"],
)
def test_add_wish_refuses_anyone_not_on_the_authors_guest_list(author, who):
    WishFactory(author=author, text="investors in hardware")
    person_id = {
        "another_event": lambda: AttendeeFactory(is_listed_in_guest_list=True).pk,
        "unlisted": lambda: AttendeeFactory(event=author.event).pk,
        "removed": lambda: listed(author, removed_at=timezone.now()).pk,
        "erased": lambda: listed(author, erased_at=timezone.now()).pk,
        "unknown": lambda: 10**9,
    }[who]()

    with pytest.raises(ValidationError) as refusal:
        services.add_wish(author, person_id=person_id)

    assert refusal.value.messages == [
        "This person is not on the guest list of this event. Search the list again."
    ]
    assert wish_list(author) == [(1, None, "investors in hardware")]


def test_add_wish_refuses_oneself_a_person_twice_and_bad_text(author):
    author.is_listed_in_guest_list = True
    author.save()
    person = listed(author, name="Liu Fang")
    services.add_wish(author, person_id=person.pk)

    refusals = []
    for attempt in (
        {"person_id": author.pk},
        {"person_id": person.pk},
        {"text": "   "},
        {"text": "x" * 121},
        {"text": "two\nlines"},
        {"person_id": person.pk, "text": "both"},
    ):
        with pytest.raises(ValidationError) as refusal:
            services.add_wish(author, **attempt)
        refusals.append(refusal.value.messages[0])

    assert refusals[:4] == [
        "You cannot wish to meet yourself.",
        "Liu Fang is on your wish list already.",
        "Describe a kind of person, or pick someone from the guest list.",
        "The wish is 121 characters long; at most 120 fit.",
    ]
    assert refusals[5] == "Pick a person or describe one, not both."
    assert wish_list(author) == [(1, person.pk, "")]


def test_add_wish_holds_each_wish_once_however_written(author):
    """The same kind typed twice (case, width, spaces aside), a picked person's name typed as
    a wish, or a person picked whose name is typed there already: each refused, the list
    unchanged, not a second place taken."""
    person = listed(author, name="Olivia Brown")
    services.add_wish(author, text="🚀 Hardware  investors")
    services.add_wish(author, person_id=person.pk)
    other = listed(author, name="Bo Chen")
    services.add_wish(author, text="bo chen")

    refusals = []
    for attempt in (
        {"text": "🚀 hardware investors"},
        {"text": "ＯＬＩＶＩＡ brown"},
        {"person_id": other.pk},
    ):
        with pytest.raises(ValidationError) as refusal:
            services.add_wish(author, **attempt)
        refusals.append(refusal.value.messages[0])

    assert refusals == [
        "“🚀 hardware investors” is on your wish list already.",
        "“ＯＬＩＶＩＡ brown” is on your wish list already.",
        "Bo Chen is on your wish list already.",
    ]
    assert wish_list(author) == [
        (1, None, "🚀 Hardware investors"),
        (2, person.pk, ""),
        (3, None, "bo chen"),
    ]


@pytest.mark.parametrize("blank", ["\u2800\u2800", "\U000e0020", " \u0301 ", "\u3164"])
def test_add_wish_refuses_a_line_that_shows_nothing(author, blank):
    with pytest.raises(ValidationError) as refusal:
        services.add_wish(author, text=blank)

    assert refusal.value.messages == [
        "Describe a kind of person, or pick someone from the guest list."
    ]
    assert wish_list(author) == []


def test_the_database_refuses_a_sixth_wish_oneself_and_a_wish_both_or_neither(author):
    person = listed(author)
    for fields in (
        {"position": MAX_WISHES + 1, "text": "sixth"},
        {"position": 1, "person": author, "text": ""},
        {"position": 1, "person": person, "text": "both"},
        {"position": 1, "text": ""},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Wish.objects.create(author=author, **fields)

    assert wish_list(author) == []


def test_remove_wish_closes_the_gap_and_refuses_another_authors_wish(author):
    first, _second, _third = (services.add_wish(author, text=f"kind {n}") for n in range(3))
    others = WishFactory(text="not mine")

    services.remove_wish(author, wish_id=first.pk)
    with pytest.raises(ValidationError) as refusal:
        services.remove_wish(author, wish_id=others.pk)

    assert refusal.value.messages == [
        "This wish is not on your list any more: the list below is the current one."
    ]
    assert wish_list(author) == [(1, None, "kind 1"), (2, None, "kind 2")]
    assert Wish.objects.filter(pk=others.pk).exists()


def test_erasing_a_person_takes_their_wish_list_and_the_wishes_for_them(author):
    person = listed(author)
    services.add_wish(author, person_id=person.pk)
    services.add_wish(author, text="investors in hardware")
    WishFactory(author=person, person=author, text="")

    retention.erase_attendee(person)

    assert [text for _position, _person, text in wish_list(author)] == ["investors in hardware"]
    assert not Wish.objects.filter(author=person).exists()
    services.add_wish(author, text="someone at a hospital group")  # the gap is closed first
    assert wish_list(author) == [
        (1, None, "investors in hardware"),
        (2, None, "someone at a hospital group"),
    ]
    person.refresh_from_db()
    assert person.is_listed_in_guest_list is False


@pytest.mark.parametrize(
    "after",
    [
        {"status": "live", "last_round_started_at": timezone.now()},  # the last round started
        {"status": "mingle"},
        {"status": "closed"},
    ],
    ids=["last_round", "mingle", "closed"],
)
def test_add_wish_after_the_rounds_is_refused_and_saves_nothing(author, after):
    Event.objects.filter(pk=author.event_id).update(**after)
    author.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        services.add_wish(author, text="investors in hardware")

    assert refused.value.code == "over"
    assert wish_list(author) == []


def test_add_wish_of_someone_taken_out_of_the_rounds_is_refused_and_saves_nothing(author):
    """Removed after a report: no seating is left for them, while the event has rounds to seat
    (the attendee given may be a stale copy)."""
    Attendee.objects.filter(pk=author.pk).update(removed_at=timezone.now())

    with pytest.raises(ValidationError) as refused:
        services.add_wish(author, text="investors in hardware")

    assert refused.value.code == "removed"
    assert refused.value.messages == [
        "You have no more tables this evening. Please speak to an organizer."
    ]
    assert wish_list(author) == []
