"""The phone's wish list: the guest-list search, adding and removing wishes, the listing choice,
and who may do any of it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Attendee, Event
from pitches.models import MAX_WISHES, Wish
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, WishFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def me(event, client):
    attendee = AttendeeFactory(event=event, name="Ana Costa")
    open_link(client, attendee.token)  # this client is Ana's phone
    return attendee


@pytest.fixture
def liu(event):
    person = AttendeeFactory(
        event=event, name="Liu Fang", company="Anshui Medical", is_listed_in_guest_list=True
    )
    PitchFactory(attendee=person, ask="Who runs a clinic in Tianjin?")
    return person


def url(name: str, attendee) -> str:
    return reverse(name, args=[attendee.token])


def wish_list(author) -> list[tuple[int | None, str]]:
    return list(
        Wish.objects.filter(author=author).order_by("position").values_list("person_id", "text")
    )


def test_guest_search_shows_listed_people_with_company_and_ask(client, me, liu):
    AttendeeFactory(event=me.event, name="Liu Hidden", company="Anshui Medical")

    response = client.get(url("wish_guests", me), {"q": "anshui"}, **HTMX)

    assert response.status_code == 200
    assert "Liu Fang" in response.text
    assert "Anshui Medical" in response.text
    assert "Who runs a clinic in Tianjin?" in response.text
    assert f'name="person" value="{liu.pk}"' in response.text
    assert "Liu Hidden" not in response.text  # did not say yes to being listed


def test_guest_search_counts_its_queries(client, me, liu, django_assert_num_queries):
    AttendeeFactory.create_batch(2, event=me.event, company="Anshui", is_listed_in_guest_list=True)
    # the attendee, the search and the wish list (is it full?): the same for 1 and 3 results
    with django_assert_num_queries(3):
        one = client.get(url("wish_guests", me), {"q": "Liu"}, **HTMX)
    with django_assert_num_queries(3):
        three = client.get(url("wish_guests", me), {"q": "anshui"}, **HTMX)

    assert one.text.count('name="person"') == 1
    assert three.text.count('name="person"') == 3


def test_guest_search_never_lists_me_the_unlisted_the_removed_or_another_events_people(
    client, me, liu
):
    Attendee.objects.filter(pk=me.pk).update(is_listed_in_guest_list=True)
    AttendeeFactory(event=me.event, name="Liu Unlisted")
    AttendeeFactory(
        event=me.event, name="Liu Removed", is_listed_in_guest_list=True, removed_at=timezone.now()
    )
    AttendeeFactory(name="Liu Elsewhere", is_listed_in_guest_list=True)

    found = client.get(url("wish_guests", me), {"q": "Liu"}, **HTMX).text
    myself = client.get(url("wish_guests", me), {"q": "Ana"}, **HTMX).text

    assert found.count('name="person"') == 1
    assert "Liu Fang" in found
    assert "Nobody on the guest list matches “Ana”." in myself


def test_guest_search_from_another_event_finds_nobody_of_this_one(liu):
    """An attendee of another event, with their own working link, searches their own event."""
    stranger = AttendeeFactory(name="Bo Lind")
    phone = Client()
    open_link(phone, stranger.token)

    page = phone.get(url("wish_guests", stranger), {"q": "Liu"}, **HTMX).text
    added = phone.post(url("wish_add", stranger), {"person": liu.pk}, **HTMX)

    assert "Liu Fang" not in page
    assert "This person is not on the guest list of this event." in added.text
    assert wish_list(stranger) == []


def test_wish_pages_refuse_another_browser_with_the_link_and_an_unknown_link(client, me, liu):
    """The organizer (or anyone the link was forwarded to) neither searches, reads nor changes
    the wish list; a made-up link finds nothing."""
    WishFactory(author=me, text="my rival's CFO")
    other = Client()
    answers = [
        other.get(url("wish_guests", me), {"q": "Liu"}, **HTMX),
        other.post(url("wish_add", me), {"person": liu.pk}),
        other.post(url("wish_remove", me), {"wish": Wish.objects.get().pk}),
        other.post(url("guest_listing", me), {"is_listed": "yes"}),
    ]
    page = other.get(url("pitch_edit", me))

    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert "rival" not in page.text
    assert "Liu Fang" not in page.text
    assert "Your wish list is private" in page.text
    assert wish_list(me) == [(None, "my rival's CFO")]
    me.refresh_from_db()
    assert me.is_listed_in_guest_list is False
    assert client.get(reverse("wish_guests", args=["guess"]), {"q": "Liu"}).status_code == 404
    assert client.post(reverse("wish_add", args=["guess"]), {"text": "x"}).status_code == 404


def test_pitch_page_searches_the_guest_list_without_script(client, me, liu):
    page = client.get(url("pitch_edit", me), {"q": "liu"})

    assert page.status_code == 200
    assert f'name="person" value="{liu.pk}"' in page.text
    assert "Who runs a clinic in Tianjin?" in page.text
    redirected = client.get(url("wish_guests", me), {"q": "liu"})
    assert redirected.status_code == 302
    assert redirected.url == url("pitch_edit", me) + "?q=liu#wishes"


def test_wish_add_with_htmx_answers_the_list_fragment(client, me, liu):
    picked = client.post(url("wish_add", me), {"person": liu.pk}, **HTMX)
    typed = client.post(url("wish_add", me), {"text": "investors in hardware"}, **HTMX)

    assert picked.status_code == typed.status_code == 200
    assert typed.text.startswith('<section class="wishes stack"')
    assert "Liu Fang" in typed.text
    assert "investors in hardware" in typed.text
    assert "Added to your wish list." in typed.text
    assert wish_list(me) == [(liu.pk, ""), (None, "investors in hardware")]


def test_wish_add_without_script_returns_to_the_page_which_shows_the_list(client, me, liu):
    response = client.post(url("wish_add", me), {"person": str(liu.pk)})

    assert response.status_code == 302
    assert response.url == url("pitch_edit", me) + "#wishes"
    page = client.get(url("pitch_edit", me)).text
    assert "Liu Fang" in page
    assert "Added to your wish list." in page
    assert "1 of 5 wishes." in page


def test_a_sixth_wish_is_refused_clearly_and_loses_nothing(client, me, liu):
    for n in range(MAX_WISHES):
        WishFactory(author=me, text=f"kind {n}")

    plain = client.post(url("wish_add", me), {"text": "a sixth kind"})
    htmx = client.post(url("wish_add", me), {"person": liu.pk}, **HTMX)

    assert plain.status_code == 400
    message = "Your wish list is full (5 wishes): remove one to add another."
    assert message in plain.text
    assert message in htmx.text
    assert all(f"kind {n}" in plain.text for n in range(MAX_WISHES))
    # said once: the refusal, not the refusal and the full list's notice below it
    assert "Your wish list is full: remove a wish to add another." not in plain.text
    assert (
        "Your wish list is full: remove a wish to add another."
        in client.get(url("pitch_edit", me)).text
    )
    assert len(wish_list(me)) == MAX_WISHES


NOT_LISTED = "This person is not on the guest list of this event. Search the list again."


@pytest.mark.parametrize(
    ("person", "message"),
    [
        (lambda event: AttendeeFactory(is_listed_in_guest_list=True).pk, NOT_LISTED),
        (
            lambda event: (
                AttendeeFactory(
                    event=event, is_listed_in_guest_list=True, removed_at=timezone.now()
                ).pk
            ),
            NOT_LISTED,
        ),
        (lambda event: AttendeeFactory(event=event).pk, NOT_LISTED),  # did not say yes
        (lambda event: 10**9, NOT_LISTED),
        (lambda event: "Liu Fang", "Enter a whole number."),  # a name where an id goes
        (lambda event: 10**30, "Ensure this value is less than or equal to"),
    ],
    ids=["another_event", "removed", "unlisted", "unknown", "not_a_number", "huge"],
)
def test_a_person_who_cannot_be_picked_is_refused_and_loses_nothing(client, me, person, message):
    WishFactory(author=me, text="investors in hardware")

    response = client.post(url("wish_add", me), {"person": person(me.event)})

    assert response.status_code == 400
    assert message in response.text
    assert wish_list(me) == [(None, "investors in hardware")]


def test_a_refused_kind_of_person_keeps_what_was_typed(client, me):
    typed = "x" * 130

    response = client.post(url("wish_add", me), {"text": typed})

    assert response.status_code == 400
    assert "Ensure this value has at most 120 characters (it has 130)." in response.text
    assert f'value="{typed}"' in response.text
    assert wish_list(me) == []


def test_wish_remove_takes_one_wish_off_and_refuses_another_authors(client, me, liu):
    mine = WishFactory(author=me, person=liu, text="")
    kept = WishFactory(author=me, text="investors in hardware")
    theirs = WishFactory(author=liu, person=me, text="")

    removed = client.post(url("wish_remove", me), {"wish": mine.pk}, **HTMX)
    refused = client.post(url("wish_remove", me), {"wish": theirs.pk})

    assert "Removed from your wish list." in removed.text
    assert "Liu Fang" not in removed.text.split('class="guest-results"')[0]
    assert refused.status_code == 400
    assert "This wish is not on your list any more" in refused.text
    assert wish_list(me) == [(None, "investors in hardware")]
    assert Wish.objects.filter(pk__in=[kept.pk, theirs.pk]).count() == 2


def test_guest_listing_is_the_attendees_own_yes_and_no(client, me, liu):
    yes = client.post(url("guest_listing", me), {"is_listed": "yes"}, **HTMX)
    me.refresh_from_db()
    assert me.is_listed_in_guest_list is True
    assert "You are on the guest list" in yes.text
    other_phone = Client()
    open_link(other_phone, liu.token)
    assert "Ana Costa" in other_phone.get(url("wish_guests", liu), {"q": "ana"}, **HTMX).text

    no = client.post(url("guest_listing", me), {"is_listed": "no"})
    me.refresh_from_db()

    assert no.status_code == 302
    assert me.is_listed_in_guest_list is False
    assert "Ana Costa" not in other_phone.get(url("wish_guests", liu), {"q": "ana"}, **HTMX).text


def test_saving_the_pitch_keeps_the_wish_list(client, me):
    WishFactory(author=me, text="investors in hardware")

    client.post(url("pitch_edit", me), {"need": "A bookkeeper.", "offer": "", "ask": ""})

    assert wish_list(me) == [(None, "investors in hardware")]


def test_wish_list_waits_for_the_code_of_conduct(client, me):
    me.event.conduct_text = "Be kind."
    me.event.conduct_version = 1
    me.event.save()

    plain = client.post(url("wish_add", me), {"text": "investors in hardware"})
    htmx = client.post(url("wish_add", me), {"text": "investors in hardware"}, **HTMX)

    assert plain.status_code == 302
    assert plain.url == url("conduct_accept", me)
    assert htmx.headers["HX-Redirect"] == url("conduct_accept", me)
    assert wish_list(me) == []


def test_wish_list_speaks_chinese_to_a_chinese_phone(client, me):
    chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}

    page = client.get(url("pitch_edit", me), **chinese).text
    full = client.post(url("wish_add", me), {"person": 10**9}, **HTMX, **chinese).text

    assert "在宾客名单中找人" in page
    assert "你不在宾客名单上：没有人能在那里找到你。" in page
    assert "此人不在本活动的宾客名单上。请重新搜索名单。" in full
    client.post(url("wish_add", me), {"text": "投资人"}, **HTMX, **chinese)
    again = client.post(url("wish_add", me), {"text": " 投资人 "}, **HTMX, **chinese).text
    assert "“投资人”已在你的心愿名单上。" in again


def test_someone_taken_out_of_the_rounds_can_neither_search_nor_change_the_wish_list(
    client, me, liu
):
    WishFactory(author=me, text="investors in hardware")
    Attendee.objects.filter(pk=me.pk).update(removed_at=timezone.now())

    answers = [
        client.get(url("wish_guests", me), {"q": "Liu"}, **HTMX),
        client.post(url("wish_add", me), {"person": liu.pk}),
        client.post(url("wish_remove", me), {"wish": Wish.objects.get().pk}),
        client.post(url("guest_listing", me), {"is_listed": "yes"}),
    ]
    page = client.get(url("pitch_edit", me), {"q": "Liu"}).text

    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert "Liu Fang" not in page
    assert "You have no more tables this evening." in page
    assert wish_list(me) == [(None, "investors in hardware")]


@pytest.mark.parametrize("count", [1, 3])
def test_pitch_page_queries_do_not_grow_with_the_wish_list(
    client, me, count, django_assert_num_queries
):
    for _ in range(count):
        person = AttendeeFactory(event=me.event, is_listed_in_guest_list=True)
        WishFactory(author=me, person=person, text="")
    client.get(url("pitch_edit", me))  # the session's first writes are done

    # the attendee, the pitch, the wish list with its people, the search: for 1 wish as for 3
    with django_assert_num_queries(4):
        page = client.get(url("pitch_edit", me), {"q": "Attendee"})

    assert page.text.count('class="wish"') == count


@pytest.mark.parametrize("search", ["liu\x00", "\x00liu", "li\x07u", "liu\u200b"])
def test_guest_search_drops_control_and_invisible_characters(client, me, liu, search):
    # PostgreSQL refuses a NUL in a query (it was a server error); a search is not refused
    # for what cannot be seen, it looks for the rest
    fragment = client.get(url("wish_guests", me), {"q": search}, **HTMX)
    page = client.get(url("pitch_edit", me), {"q": search})

    for response in (fragment, page):
        assert response.status_code == 200
        assert f'name="person" value="{liu.pk}"' in response.text
        assert "\x00" not in response.text


AFTER_THE_ROUNDS = pytest.mark.parametrize(
    "after",
    [
        # The last round started: the event is live until the organizer starts mingling, but
        # the phone says "Time to mingle" once it ends and no re-plan is left.
        {"status": "live", "last_round_started_at": timezone.now()},
        {"status": "mingle"},
        {"status": "closed"},
    ],
    ids=["last_round", "mingle", "closed"],
)


@AFTER_THE_ROUNDS
def test_wish_list_after_the_rounds_offers_no_new_wish_and_refuses_one(client, me, liu, after):
    """A wish list only shapes the seating, and no plan comes once no round is left to seat:
    the pitch page (still editable) says so instead of the search and the add form, and a wish
    posted anyway is refused. Removing an earlier wish still works."""
    earlier = WishFactory(author=me, text="investors in hardware")
    Event.objects.filter(pk=me.event_id).update(**after)

    page = client.get(url("pitch_edit", me) + "?q=Liu")
    added = client.post(url("wish_add", me), {"person": liu.pk}, **HTMX)
    client.post(url("wish_remove", me), {"wish": earlier.pk}, **HTMX)

    over = "No round is left to seat: your wish list no longer shapes any seating."
    assert page.status_code == 200
    assert 'name="need"' in page.text  # the pitch itself stays editable
    assert over in page.text
    assert f'action="{url("wish_add", me)}"' not in page.text
    assert f'hx-get="{url("wish_guests", me)}"' not in page.text
    assert 'role="search"' not in page.text
    assert f'name="person" value="{liu.pk}"' not in page.text  # ?q= found nobody
    assert f'name="wish" value="{earlier.pk}"' in page.text
    assert over in added.text
    assert wish_list(me) == []


@AFTER_THE_ROUNDS
def test_guest_search_after_the_rounds_says_so_and_finds_nobody(client, me, liu, after):
    """A pitch page loaded while a round was left may still search as its owner types: the
    answer says no round is left to seat rather than offering people to add."""
    Event.objects.filter(pk=me.event_id).update(**after)

    found = client.get(url("wish_guests", me), {"q": "Liu"}, **HTMX)

    assert found.status_code == 200
    assert "No round is left to seat: your wish list no longer shapes any seating." in found.text
    assert "Liu Fang" not in found.text
    assert f'name="person" value="{liu.pk}"' not in found.text


def test_wish_list_while_a_round_is_left_to_seat_still_takes_a_wish(client, me, liu):
    """Live, the last round not started yet: a re-plan (the rescue round) may still come."""
    Event.objects.filter(pk=me.event_id).update(status=Event.Status.LIVE)

    page = client.get(url("pitch_edit", me))
    found = client.get(url("wish_guests", me), {"q": "Liu"}, **HTMX)
    client.post(url("wish_add", me), {"person": liu.pk}, **HTMX)

    assert f'action="{url("wish_add", me)}"' in page.text
    assert f'name="person" value="{liu.pk}"' in found.text
    assert wish_list(me) == [(liu.pk, "")]


def test_wishes_are_shown_in_their_own_direction(client, me, liu):
    """A wish written in Arabic or Hebrew reads right to left inside the left-to-right page."""
    WishFactory(author=me, text="مستثمرون في الأجهزة")
    WishFactory(author=me, person=liu, text="")

    page = client.get(url("pitch_edit", me)).text

    assert '<span dir="auto">مستثمرون في الأجهزة</span>' in page
    assert '<strong dir="auto">Liu Fang</strong>' in page
