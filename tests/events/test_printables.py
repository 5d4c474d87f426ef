from __future__ import annotations

import pytest
from django.urls import reverse

from feedback import retention
from rounds import services as round_services
from tests import qr
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, UserFactory

pytestmark = pytest.mark.django_db
VENUE_URL = "http://192.168.1.20:8000"
LOOPBACK_WARNING = "Phones cannot reach 127.0.0.1 — start with <code>make venue</code>"

PRINTABLES = ["print_poster", "print_badges", "print_itineraries"]


@pytest.fixture
def event():
    return EventFactory(check_in=True, join_code="CG26VP", rounds_count=2, table_size=3)


@pytest.fixture
def venue(settings):
    """The server as ``make venue`` starts it on the venue Wi-Fi."""
    settings.SITE_URL = VENUE_URL


@pytest.fixture
def organizer(client, event):
    client.force_login(event.organizer)
    return client


@pytest.mark.parametrize("name", PRINTABLES)
def test_printables_of_another_organizers_event_are_not_found(client, event, name):
    client.force_login(UserFactory())

    assert client.get(reverse(name, args=[event.pk])).status_code == 404


@pytest.mark.parametrize("name", PRINTABLES)
def test_printables_send_anonymous_visitors_to_sign_in(client, event, name):
    response = client.get(reverse(name, args=[event.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_print_poster_has_the_code_the_link_and_a_qr_code(organizer, event, venue):
    response = organizer.get(reverse("print_poster", args=[event.pk]))

    assert response.status_code == 200
    assert '<p class="poster-code">CG26VP</p>' in response.text
    assert "<strong>http://192.168.1.20:8000/join/CG26VP/</strong>" in response.text
    assert qr.decode_svgs(response.text) == ["http://192.168.1.20:8000/join/CG26VP/"]


def test_print_poster_ignores_the_address_the_organizers_browser_used(client, event, venue):
    client.force_login(event.organizer)

    response = client.get(reverse("print_poster", args=[event.pk]), HTTP_HOST="127.0.0.1:8000")

    assert qr.decode_svgs(response.text) == ["http://192.168.1.20:8000/join/CG26VP/"]
    assert "127.0.0.1" not in response.text


def test_print_badges_qr_codes_are_each_attendees_badge_url_at_the_public_address(
    organizer, event, venue
):
    ana = AttendeeFactory(event=event, name="Ana Costa")
    li = AttendeeFactory(event=event, name="Li Wei")

    response = organizer.get(reverse("print_badges", args=[event.pk]))

    assert qr.decode_svgs(response.text) == [
        f"{VENUE_URL}/b/{ana.badge_key}/",
        f"{VENUE_URL}/b/{li.badge_key}/",
    ]


def test_printed_badges_carry_no_personal_token(organizer, event, venue):
    """A badge is worn in view all evening: a photo of it must not be the personal link."""
    people = AttendeeFactory.create_batch(3, event=event)

    response = organizer.get(reverse("print_badges", args=[event.pk]))

    codes = qr.decode_svgs(response.text)
    assert len(codes) == 3
    printed = response.text + "\n".join(codes)
    assert [person.name for person in people if person.token in printed] == []
    assert [code for code in codes if "/a/" in code] == []


def test_print_itineraries_qr_codes_open_each_attendees_phone_page_at_the_public_address(
    organizer, event, venue
):
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)

    response = organizer.get(reverse("print_itineraries", args=[event.pk]))

    expected = [f"{VENUE_URL}/a/{a.token}/" for a in sorted(people, key=lambda p: (p.name, p.pk))]
    assert qr.decode_svgs(response.text) == expected


@pytest.mark.parametrize("name", PRINTABLES)
def test_printables_warn_when_phones_cannot_reach_the_public_address(
    organizer, event, settings, name
):
    settings.SITE_URL = "http://127.0.0.1:8000"

    response = organizer.get(reverse(name, args=[event.pk]))

    assert response.text.count(LOOPBACK_WARNING) == 1
    assert 'class="address-warning" role="alert"' in response.text


@pytest.mark.parametrize("name", PRINTABLES)
def test_printables_do_not_warn_at_a_lan_address(organizer, event, venue, name):
    response = organizer.get(reverse(name, args=[event.pk]))

    assert "address-warning" not in response.text


def test_print_badges_one_per_attendee_with_name_company_and_ask(organizer, event):
    li = AttendeeFactory(event=event, name="Li Wei", company="Harbor")
    PitchFactory(attendee=li, ask="Who runs a trucking fleet?")
    AttendeeFactory(event=event, name="Ana Costa")

    response = organizer.get(reverse("print_badges", args=[event.pk]))

    assert response.text.count('class="badge"') == 2
    assert response.text.count('class="segno"') == 2
    assert "Who runs a trucking fleet?" in response.text


def test_print_badges_leaves_out_whoever_deleted_their_data(organizer, event):
    """An erased attendee's row stays (seats, cards) as "Erased attendee": no badge for it, with
    a QR code nobody will wear."""
    AttendeeFactory(event=event, name="Li Wei")
    gone = AttendeeFactory(event=event, name="Ana Costa")
    retention.erase_attendee(gone)

    response = organizer.get(reverse("print_badges", args=[event.pk]))

    assert response.text.count('class="badge"') == 1
    assert "Li Wei" in response.text
    assert "Erased attendee" not in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_print_badges_queries_do_not_grow(organizer, event, count, django_assert_num_queries):
    AttendeeFactory.create_batch(count, event=event)

    with django_assert_num_queries(4):
        response = organizer.get(reverse("print_badges", args=[event.pk]))

    assert response.status_code == 200
    assert response.text.count('class="segno"') == count


def test_print_itineraries_gives_each_seated_person_their_tables(organizer, event):
    people = AttendeeFactory.create_batch(6, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)

    response = organizer.get(reverse("print_itineraries", args=[event.pk]))

    sheets = response.context["sheets"]
    assert [attendee for attendee, _, _ in sheets] == sorted(people, key=lambda p: p.name)
    assert all(len(tables) == 2 and None not in tables for _, tables, _ in sheets)


@pytest.mark.parametrize("count", [3, 9])
def test_print_itineraries_queries_do_not_grow(organizer, event, count, django_assert_num_queries):
    AttendeeFactory.create_batch(count, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)

    with django_assert_num_queries(5):
        response = organizer.get(reverse("print_itineraries", args=[event.pk]))

    assert response.status_code == 200
    assert len(response.context["sheets"]) == count


def test_print_badges_sort_chinese_names_by_pinyin_among_latin_ones(organizer, event):
    for name in ["Zoe Adams", "王小明", "Anna Schmidt", "陳美玲", "Li Na", "张三"]:
        AttendeeFactory(event=event, name=name)

    page = organizer.get(reverse("print_badges", args=[event.pk])).text

    names = ["Anna Schmidt", "陳美玲", "Li Na", "王小明", "张三", "Zoe Adams"]
    assert sorted(names, key=page.index) == names
