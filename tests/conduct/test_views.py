from __future__ import annotations

import html
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conduct import services as conduct_services
from conduct.models import Report
from events import services as event_services
from events.models import Attendee, EmailBlock, Event, SeatingRequest
from feedback import services as feedback_services
from feedback.models import Card
from rounds import services as round_services
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    ReportFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_rate_limits(fresh_cache):
    """Each test counts in a cache of its own (never clearing a shared Redis database)."""
    return fresh_cache


# The code of conduct, wherever an attendee first arrives.


def test_personal_link_asks_for_the_code_of_conduct_first(client):
    attendee = AttendeeFactory(event=EventFactory(with_conduct=True))
    room = reverse("room", args=[attendee.token])

    first = client.get(room)
    page = client.get(first.url)
    accepted = client.post(first.url, {"version": "1"})

    assert first.status_code == 302
    assert first.url == reverse("conduct_accept", args=[attendee.token])
    assert "Respect a no." in page.text
    assert accepted.url == room
    assert client.get(room).status_code == 200
    attendee.refresh_from_db()
    assert attendee.conduct_accepted_version == 1


def test_walk_in_join_asks_for_the_code_of_conduct_before_the_room(client):
    event = EventFactory(check_in=True, with_conduct=True, join_code="CG26VP")
    data = {"name": "Li Wei", "email": "li@example.com", "company": "Harbor", "job_title": ""}

    joined = client.post(reverse("join", args=["CG26VP"]), data, follow=True)

    attendee = Attendee.objects.get(event=event)
    assert joined.redirect_chain[-1][0] == reverse("conduct_accept", args=[attendee.token])
    assert "Serve, don&#x27;t sell." in joined.text
    client.post(reverse("conduct_accept", args=[attendee.token]), {"version": "1"})
    assert client.get(reverse("room", args=[attendee.token])).status_code == 200


def test_changed_code_of_conduct_is_asked_again_and_a_stale_accept_is_refused(client):
    event = EventFactory(with_conduct=True)
    attendee = AttendeeFactory(event=event, conduct_accepted_version=1)
    event_services.set_conduct(event, text="New rules.", is_mailing_reports=False, by=None)

    again = client.get(reverse("room", args=[attendee.token]))
    stale = client.post(reverse("conduct_accept", args=[attendee.token]), {"version": "1"})

    assert again.url == reverse("conduct_accept", args=[attendee.token])
    assert stale.status_code == 409
    assert "changed" in stale.text
    assert "New rules." in stale.text


def test_room_without_a_code_of_conduct_opens_at_once(client):
    attendee = AttendeeFactory()

    assert client.get(reverse("room", args=[attendee.token])).status_code == 200


def test_projector_shows_the_code_of_conduct(client):
    event = EventFactory(check_in=True, with_conduct=True)

    response = client.get(reverse("projector", args=[event.projector_key]))

    assert f'id="event-{event.pk}-projector-conduct"' in response.text
    assert "Respect a no." in response.text


def test_organizer_writes_the_code_of_conduct_from_the_default(client):
    event = EventFactory(language="zh-hans")
    client.force_login(event.organizer)
    url = reverse("conduct_settings", args=[event.pk])

    empty = client.get(url)
    page = client.get(url + "?default=1")
    saved = client.post(url, {"text": "尊重他人。", "is_mailing_reports": "on"})

    assert "不要推销" not in empty.text  # an empty code stays empty until asked
    assert "不要推销" in page.text
    assert saved.status_code == 302
    event.refresh_from_db()
    assert (event.conduct_text, event.conduct_version) == ("尊重他人。", 1)
    assert event.is_mailing_reports


# Reporting from the phone: the second tap sends.


def seated_together(event, *people):
    round_ = RoundFactory(event=event, number=1, running=True)
    table = TableFactory(round=round_, number=1)
    for order, person in enumerate(people):
        SeatFactory(round=round_, table=table, attendee=person, speaking_order=order)
    return round_


def test_report_page_offers_tablemates_and_sends_on_the_second_tap(client):
    event = EventFactory(live=True)
    me, seller = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    seated_together(event, me, seller)
    url = reverse("report_problem", args=[me.token])

    page = client.get(url)
    sent = client.post(url, {"about": str(seller.pk), "message": ""}, follow=True)

    assert f'name="about" value="{seller.pk}"' in page.text
    assert sent.redirect_chain == [(f"{url}?sent=1", 302)]
    assert f'id="attendee-{me.pk}-report-sent"' in sent.text
    report = Report.objects.get()
    assert (report.reporter, report.about, report.kind) == (me, seller, "person")


def test_after_sending_the_report_page_thanks_and_leads_back_without_the_buttons(client):
    event = EventFactory(live=True)
    me, seller = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    seated_together(event, me, seller)
    url = reverse("report_problem", args=[me.token])

    sent = client.post(url, {"about": str(seller.pk), "message": ""}, follow=True)
    reloaded = client.get(f"{url}?sent=1")

    for page in (sent, reloaded):
        assert f'id="attendee-{me.pk}-report-sent"' in page.text
        assert 'name="about"' not in page.text
        assert 'name="kind"' not in page.text
        assert f'href="{reverse("room", args=[me.token])}">Back to my table<' in page.text
    assert Report.objects.count() == 1


def test_report_page_in_chinese_asks_what_happened_not_for_the_event_log(client):
    event = EventFactory(live=True, language="zh-hans")
    me = AttendeeFactory(event=event, checked_in=True)

    page = client.get(reverse("report_problem", args=[me.token]))

    assert "发生了什么" in page.text
    assert "活动记录" not in page.text


def test_report_about_someone_else_or_the_event(client):
    me = AttendeeFactory(event=EventFactory(live=True))
    url = reverse("report_problem", args=[me.token])

    client.post(url, {"kind": "someone_else", "message": "Man in a red jacket at the bar."})
    client.post(url, {"kind": "event"})

    assert list(Report.objects.order_by("pk").values_list("kind", "about", "message")) == [
        ("someone_else", None, "Man in a red jacket at the bar."),
        ("event", None, ""),
    ]


@pytest.mark.parametrize("data", [{}, {"kind": "person"}, {"kind": "gossip"}])
def test_report_without_a_choice_is_refused_and_keeps_the_message(client, data):
    me = AttendeeFactory()

    response = client.post(
        reverse("report_problem", args=[me.token]), {**data, "message": "Please come."}
    )

    assert response.status_code == 400
    assert "Please come." in response.text
    assert not Report.objects.exists()


def test_report_about_someone_from_another_event_is_refused(client):
    me = AttendeeFactory()
    stranger = AttendeeFactory()

    response = client.post(reverse("report_problem", args=[me.token]), {"about": stranger.pk})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_unknown_token_cannot_report(client):
    response = client.post(reverse("report_problem", args=["nope"]), {"kind": "event"})

    assert response.status_code == 404


# "Don't seat me with".


def test_apart_adds_and_takes_back_a_private_request(client):
    event = EventFactory(check_in=True)
    me = AttendeeFactory(event=event)
    other = AttendeeFactory(event=event, is_listed_in_guest_list=True)
    url = reverse("apart", args=[me.token])

    client.post(url, {"other": other.pk})
    listed = client.get(url)
    client.post(url, {"drop": other.pk})

    assert "seatingrequest-" in listed.text
    assert other.name in listed.text
    assert not SeatingRequest.objects.exists()


def test_apart_refuses_someone_from_another_event(client):
    me = AttendeeFactory()
    stranger = AttendeeFactory()

    response = client.post(reverse("apart", args=[me.token]), {"other": stranger.pk})

    assert response.status_code == 400
    assert not SeatingRequest.objects.exists()


@pytest.fixture
def apart_room():
    """An event with its second round running: ``me``; Liu, on the guest list; Tao, not on it,
    at my table now; Dee, not on it, at my table in round 1 (done); and, none of them on the
    guest list nor ever at my table, Pia (seated with me in round 3, not started), Sam (at
    another table) and Nor (never seated). The last three are ``hidden``: only the registration
    list names them."""
    event = EventFactory(live=True)
    me = AttendeeFactory(event=event, name="Ana Me", checked_in=True)
    liu = AttendeeFactory(event=event, name="Liu Listed", is_listed_in_guest_list=True)
    tao, dee, pia, sam, nor = (
        AttendeeFactory(event=event, name=name, checked_in=True)
        for name in ("Tao Tablemate", "Dee Earlier", "Pia Planned", "Sam Secret", "Nor Never")
    )
    rounds = {
        number: RoundFactory(event=event, number=number, **state)
        for number, state in ((1, {"done": True}), (2, {"running": True}), (3, {}))
    }
    for number, mate, stranger in ((1, dee, sam), (2, tao, sam), (3, pia, sam)):
        mine, other = (TableFactory(round=rounds[number], number=n) for n in (1, 2))
        SeatFactory(table=mine, attendee=me, speaking_order=0)
        SeatFactory(table=mine, attendee=mate, speaking_order=1)
        SeatFactory(table=other, attendee=stranger, speaking_order=0)
    return me, {"shown": [dee, liu, tao], "hidden": [nor, pia, sam]}


def test_apart_offers_only_the_guest_list_and_the_people_i_sat_with(client, apart_room):
    """The page (asked with another person's id too) names the people on the guest list and
    those who sat at my table in the rounds started so far, and nobody else of the
    registration list."""
    me, people = apart_room
    url = reverse("apart", args=[me.token])

    pages = [client.get(url).text] + [
        client.get(url, {"other": person.pk}).text for person in people["hidden"]
    ]

    for page in pages:
        for person in people["shown"]:
            assert f'<option value="{person.pk}">{person.name} ({person.company})</option>' in page
        for person in people["hidden"]:
            assert person.name not in page
            assert f'value="{person.pk}"' not in page


def test_apart_offers_chinese_names_by_their_pinyin_among_the_latin_ones(client):
    event = EventFactory(live=True)
    me = AttendeeFactory(event=event, name="Ana Me", checked_in=True)
    for name in ("张伟", "Chen Jing", "欧阳娜娜", "Zoe Li", "李娜", "Bo Lind"):
        AttendeeFactory(event=event, name=name, is_listed_in_guest_list=True)

    page = client.get(reverse("apart", args=[me.token])).text

    offered = re.findall(r'<option value="\d+">([^<(]+) \(', page)
    assert [name.strip() for name in offered] == [
        "Bo Lind", "Chen Jing", "李娜", "欧阳娜娜", "张伟", "Zoe Li"
    ]  # fmt: skip


def test_apart_refuses_someone_neither_listed_nor_sat_with_and_names_nobody(client, apart_room):
    me, people = apart_room
    url = reverse("apart", args=[me.token])

    refusals = [client.post(url, {"other": person.pk}) for person in people["hidden"]]

    for response in refusals:
        assert response.status_code == 400
        assert "Choose someone from the guest list or from the tables you sat at." in (
            html.unescape(response.text)
        )
        for hidden in people["hidden"]:
            assert hidden.name not in response.text
    assert not SeatingRequest.objects.exists()


def test_apart_takes_the_guest_list_and_the_people_i_sat_with(client, apart_room):
    me, people = apart_room
    url = reverse("apart", args=[me.token])

    answers = [client.post(url, {"other": person.pk}) for person in people["shown"]]

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert set(SeatingRequest.objects.values_list("other_id", flat=True)) == {
        person.pk for person in people["shown"]
    }


def test_apart_refusal_in_chinese_names_nobody(client, apart_room):
    me, people = apart_room

    response = client.post(
        reverse("apart", args=[me.token]),
        {"other": people["hidden"][0].pk},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )

    assert response.status_code == 400
    assert "请从宾客名单或与你同桌过的人中选择。" in response.text
    assert not SeatingRequest.objects.exists()


@pytest.mark.parametrize("status", ["last_round", "mingle", "closed"])
def test_apart_after_the_rounds_offers_nothing_new_and_refuses_a_post(client, status):
    """No seating plan comes once no round is left to seat (the last one started, mingle,
    closed), so "Don't seat me with" cannot work:
    the page says so, offers nobody, and a request posted anyway is refused, nothing saved.
    Taking back an earlier request (one's own private data) still works."""
    event = EventFactory(**{status: True})
    me, other, earlier = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    SeatingRequest.objects.create(attendee=me, other=earlier, event=event)
    url = reverse("apart", args=[me.token])

    page = client.get(url)
    refused = client.post(url, {"other": other.pk})
    client.post(url, {"drop": earlier.pk})

    over = "No round is left to seat: no seating plan can keep you apart any more."
    assert over in page.text
    assert 'name="other"' not in page.text
    assert f'name="drop" value="{earlier.pk}"' in page.text
    assert refused.status_code == 400
    assert over in refused.text
    assert not SeatingRequest.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_apart_for_someone_taken_out_of_the_rounds_offers_nobody_and_refuses_a_post(
    client, language
):
    """Removed after a report, the person has no table left for a plan to keep apart from
    anyone: the page says so (in their language), offers nobody, and a request posted anyway
    is refused, nothing saved, although the event still has rounds to seat. Taking back an
    earlier request (their own private data) still works."""
    event = EventFactory(check_in=True, language=language)
    me, other, earlier = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    SeatingRequest.objects.create(attendee=me, other=earlier, event=event)
    Attendee.objects.filter(pk=me.pk).update(removed_at=timezone.now())
    url = reverse("apart", args=[me.token])

    page = client.get(url)
    refused = client.post(url, {"other": other.pk})
    client.post(url, {"drop": earlier.pk})

    removed = {
        "en": "You have no more tables this evening. Please speak to an organizer.",
        "zh-hans": "今晚你没有更多的桌次了。请与组织者联系。",
    }[language]
    assert removed in page.text
    assert 'name="other"' not in page.text
    assert f'name="drop" value="{earlier.pk}"' in page.text
    assert refused.status_code == 400
    assert removed in refused.text
    assert not SeatingRequest.objects.exists()


def test_room_of_someone_taken_out_of_the_rounds_does_not_offer_dont_seat_me_with(client):
    """The link is on the page (the removal may be undone while it is open) but the room
    starts with no seating ahead for them, which hides it (room.css)."""
    event = EventFactory(check_in=True)
    me, other = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    Attendee.objects.filter(pk=me.pk).update(removed_at=timezone.now())

    removed = client.get(reverse("room", args=[me.token])).text
    present = Client().get(reverse("room", args=[other.token])).text  # another phone

    assert 'data-seating="over"' in removed
    assert 'data-seating="ahead"' in present


def comparable(html: str) -> str:
    """A page without what changes at every request (CSRF tokens, server times)."""
    html = re.sub(r'(csrfmiddlewaretoken" value=|x-csrftoken": )"[^"]+"', r"\1", html)
    html = re.sub(r'"server_time":\s*\d+', "", html)
    return re.sub(r'<p id="event-\d+-private-rules">.*?</p>', "", html)


def test_no_organizer_page_or_export_reveals_a_private_request(client):
    event = EventFactory(check_in=True, rounds_count=2, table_size=3, round_seconds=180)
    people = AttendeeFactory.create_batch(
        6, event=event, checked_in=True, is_listed_in_guest_list=True
    )
    round_services.make_plan(event, by=event.organizer, time_limit=0.2)
    client.force_login(event.organizer)
    pages = [
        reverse("event_detail", args=[event.pk]),
        reverse("attendee_list", args=[event.pk]),
        reverse("seating", args=[event.pk]),
        reverse("plan", args=[event.pk]),
        reverse("control", args=[event.pk]),
        reverse("conduct_reports", args=[event.pk]),
        reverse("print_itineraries", args=[event.pk]),
        reverse("event_report", args=[event.pk]),
        *(reverse("event_export", args=[event.pk, kind]) for kind in ("attendees", "cards")),
    ]
    before = {url: comparable(client.get(url).content.decode()) for url in pages}

    conduct_services.ask_apart(people[0], other_id=people[1].pk)

    after = {url: comparable(client.get(url).content.decode()) for url in pages}
    assert after == before
    seating = client.get(reverse("seating", args=[event.pk])).text
    assert "asked privately for 1 more pair" in seating


# The organizers' reports page and actions.


def test_reports_page_says_what_a_report_is_about_in_the_organizers_words(client):
    """The reporter's choice reads "about a person at my table" on their phone; the organizers
    read it in their own voice and language, whatever the reporter's."""
    event = EventFactory(check_in=True, language="en")
    ReportFactory(event=event, about__name="Sam Seller")
    client.force_login(event.organizer)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("conduct_reports", args=[event.pk])).text

    assert "关于同桌的人: Sam Seller" in page
    assert "我桌上" not in page
    assert "my table" not in page


def test_organizer_sees_reports_and_acts(client):
    event = EventFactory(check_in=True)
    report = ReportFactory(event=event, about__email="pushy@example.com")
    client.force_login(event.organizer)

    page = client.get(reverse("conduct_reports", args=[event.pk]))
    client.post(
        reverse("report_update", args=[event.pk, report.pk]),
        {"status": "acknowledged", "note": "Talked to both."},
    )
    removed = client.post(
        reverse("report_action", args=[event.pk, report.pk]), {"action": "remove"}
    )
    blocked = client.post(reverse("report_action", args=[event.pk, report.pk]), {"action": "block"})
    undone = client.post(
        reverse("report_action", args=[event.pk, report.pk]), {"action": "undo_remove"}
    )

    assert report.message in page.text
    assert removed.status_code == blocked.status_code == undone.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.organizer_note) == ("acknowledged", "Talked to both.")
    assert EmailBlock.objects.filter(organizer=event.organizer).count() == 1
    assert not Attendee.objects.get(pk=report.about_id).is_removed


def test_report_actions_flash_what_happened_to_the_person(client):
    event = EventFactory(check_in=True)
    report = ReportFactory(event=event, about__name="Dana Lee", about__email="dana@example.com")
    client.force_login(event.organizer)
    url = reverse("report_action", args=[event.pk, report.pk])

    removed = client.post(url, {"action": "remove"}, follow=True)
    undone = client.post(url, {"action": "undo_remove"}, follow=True)
    blocked = client.post(url, {"action": "block"}, follow=True)

    assert "Dana Lee is taken out of the remaining rounds." in removed.text
    assert "Undo: put Dana Lee back" in removed.text
    assert "Remove from the remaining rounds" not in removed.text
    assert "Dana Lee is back in the remaining rounds." in undone.text
    assert "Dana Lee’s email is blocked from your future events." in blocked.text


def test_control_page_carries_the_report_alert_region(client):
    event = EventFactory(live=True)
    ReportFactory(event=event)
    client.force_login(event.organizer)

    control = client.get(reverse("control", args=[event.pk]))
    alerts = client.get(reverse("conduct_alerts", args=[event.pk]))

    assert "data-conduct-alert-list" in control.text
    assert "1 open report" in alerts.text


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("conduct_settings", "get", {}),
        ("conduct_reports", "get", {}),
        ("conduct_alerts", "get", {}),
        ("report_update", "post", {"status": "resolved", "note": ""}),
        ("report_action", "post", {"action": "block"}),
    ],
)
def test_another_organizer_cannot_reach_an_events_reports(client, name, method, extra):
    report = ReportFactory(about__email="pushy@example.com")
    client.force_login(UserFactory())
    args = [report.event_id] + ([report.pk] if name.startswith("report_") else [])

    response = getattr(client, method)(reverse(name, args=args), extra)

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == "open"
    assert not EmailBlock.objects.exists()


def test_a_report_id_of_another_event_is_not_found(client):
    mine = EventFactory()
    theirs = ReportFactory()
    client.force_login(mine.organizer)

    response = client.post(
        reverse("report_action", args=[mine.pk, theirs.pk]), {"action": "remove"}
    )

    assert response.status_code == 404


def test_signed_out_cannot_reach_reports(client):
    report = ReportFactory()

    response = client.get(reverse("conduct_reports", args=[report.event_id]))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_the_reported_person_sees_nothing_on_any_page(client):
    event = EventFactory(live=True)
    reporter = AttendeeFactory(event=event, checked_in=True, name="Rita Reporter")
    about = AttendeeFactory(event=event, checked_in=True, name="Sam Seller")
    seated_together(event, reporter, about)
    before = {
        name: comparable(client.get(reverse(name, args=[about.token])).content.decode())
        for name in ("room", "leads", "report_problem", "apart", "my_details", "pitch_edit")
    }

    report = ReportFactory(event=event, reporter=reporter, about=about, message="Secret words")
    conduct_services.ask_apart(reporter, other_id=about.pk)

    for name, page in before.items():
        now = client.get(reverse(name, args=[about.token])).content.decode()
        assert "Secret words" not in now
        assert comparable(now) == page, name
    assert report.pk


@pytest.mark.parametrize("count", [1, 3])
def test_reports_page_queries_do_not_grow_with_reports(client, django_assert_num_queries, count):
    event = EventFactory(live=True)
    ReportFactory.create_batch(count, event=event)
    client.force_login(event.organizer)
    client.get(reverse("conduct_reports", args=[event.pk]))  # the session is warm

    # session, user, event, reports with their people, whether a round is left to re-plan.
    with django_assert_num_queries(5):
        response = client.get(reverse("conduct_reports", args=[event.pk]))

    assert response.text.count('class="report report-open"') == count


@pytest.mark.parametrize("name", ["pitch_edit", "leads"])
def test_the_pitch_and_leads_links_ask_for_the_code_of_conduct_first(client, name):
    event = EventFactory(live=True, with_conduct=True)
    attendee = AttendeeFactory(event=event, checked_in=True)
    url = reverse(name, args=[attendee.token])

    first = client.get(url)
    client.post(reverse("conduct_accept", args=[attendee.token]), {"version": "1"})

    assert first.status_code == 302
    assert first.url == reverse("conduct_accept", args=[attendee.token])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["report_problem", "apart", "my_details", "attendee_erase"])
def test_reporting_and_privacy_pages_never_wait_for_the_code_of_conduct(client, name):
    attendee = AttendeeFactory(event=EventFactory(live=True, with_conduct=True))

    assert client.get(reverse(name, args=[attendee.token])).status_code == 200


def test_a_card_tap_without_the_code_of_conduct_is_refused(client):
    event = EventFactory(live=True, with_conduct=True)
    me, other = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    seated_together(event, me, other)
    tap = {"action": "give", "receiver": other.pk, "round": 1, "kind": "see_me"}

    by_post = client.post(reverse("card", args=[me.token]), {**tap, "client_id": str(uuid.uuid4())})
    by_socket = feedback_services.tap_cards(
        [
            (
                me.pk,
                {
                    "action": "give",
                    "client_id": uuid.uuid4(),
                    "receiver_id": other.pk,
                    "round_number": 1,
                    "kind": "see_me",
                    "note": "",
                },
            )
        ]
    )

    assert by_post.status_code == 400
    assert "code of conduct" in by_post.json()["error"]
    assert "code of conduct" in by_socket[0].error
    assert not Card.objects.exists()
    event_services.accept_conduct(me, version=1)
    again = client.post(reverse("card", args=[me.token]), {**tap, "client_id": str(uuid.uuid4())})
    assert again.status_code == 200


@pytest.mark.parametrize("drop", ["²", "99999999999999999999999", "0", "-1", "x"])
def test_taking_back_with_an_odd_id_changes_nothing(client, drop):
    event = EventFactory(live=True)
    me = AttendeeFactory(event=event)
    other = AttendeeFactory(event=event, is_listed_in_guest_list=True)
    conduct_services.ask_apart(me, other_id=other.pk)

    response = client.post(reverse("apart", args=[me.token]), {"drop": drop})

    assert response.status_code == 302
    assert SeatingRequest.objects.filter(attendee=me, other=other).exists()


def test_a_report_about_an_id_out_of_range_is_refused(client):
    me = AttendeeFactory(event=EventFactory(live=True))

    response = client.post(reverse("report_problem", args=[me.token]), {"about": "9" * 25})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_one_phone_cannot_ask_apart_from_the_whole_room(client):
    event = EventFactory(live=True)
    me = AttendeeFactory(event=event)
    others = AttendeeFactory.create_batch(
        event_services.MAX_APART_REQUESTS + 1, event=event, is_listed_in_guest_list=True
    )
    url = reverse("apart", args=[me.token])
    for other in others[:-1]:
        client.post(url, {"other": other.pk})

    refused = client.post(url, {"other": others[-1].pk})
    again = client.post(url, {"other": others[0].pk})  # asking twice stays harmless

    assert refused.status_code == 400
    assert "speak to an organizer" in refused.text
    assert again.status_code == 302
    assert SeatingRequest.objects.filter(attendee=me).count() == event_services.MAX_APART_REQUESTS


def default_conduct_in(language: str) -> str:
    with translation.override(language):
        return event_services.default_conduct()


@pytest.mark.parametrize("edited", [False, True])
def test_accept_page_shows_the_default_code_in_the_phones_language_unless_edited(client, edited):
    """The default code, made in the event's language (English), reads in Chinese on a Chinese
    phone; a text the organizer edited is shown as written."""
    event = EventFactory(language="en")
    written = default_conduct_in("en") + ("\nNo photos without asking." if edited else "")
    event_services.set_conduct(event, text=written, is_mailing_reports=False, by=None)
    attendee = AttendeeFactory(event=event)

    page = client.get(
        reverse("conduct_accept", args=[attendee.token]), HTTP_ACCEPT_LANGUAGE="zh-CN"
    )

    first_line = default_conduct_in("en" if edited else "zh-hans").splitlines()[0]
    assert first_line in html.unescape(page.text)
    assert ("No photos without asking." in page.text) is edited
    assert (default_conduct_in("zh-hans").splitlines()[0] in html.unescape(page.text)) is not edited


@pytest.mark.parametrize("edited", [False, True])
def test_projector_shows_the_default_code_in_the_events_language_unless_edited(client, edited):
    """An event switched to Chinese after its default code was made in English: the projector
    (in the event's language) shows the Chinese default; an edited text as written."""
    event = EventFactory(language="en", check_in=True)
    written = default_conduct_in("en") + ("\nNo photos without asking." if edited else "")
    event_services.set_conduct(event, text=written, is_mailing_reports=False, by=None)
    Event.objects.filter(pk=event.pk).update(language="zh-hans")

    page = client.get(reverse("projector_find", args=[event.projector_key]))

    shown = html.unescape(page.text)
    assert (default_conduct_in("zh-hans").splitlines()[0] in shown) is not edited
    assert (default_conduct_in("en").splitlines()[0] in shown) is edited


def test_personal_link_after_the_close_opens_the_room_and_leads_without_the_code(client):
    """Someone who never came opens their link after the close: nothing is left to behave at,
    so their room (closed) and leads open without accepting the code first."""
    event = EventFactory(closed=True, with_conduct=True)
    attendee = AttendeeFactory(event=event)

    room = client.get(reverse("room", args=[attendee.token]))
    leads = client.get(reverse("leads", args=[attendee.token]))
    accept = client.get(reverse("conduct_accept", args=[attendee.token]))

    assert (room.status_code, leads.status_code) == (200, 200)
    assert accept.status_code == 302
    assert accept.url == reverse("room", args=[attendee.token])
    attendee.refresh_from_db()
    assert attendee.conduct_accepted_version == 0


def test_apart_after_the_plan_says_the_organizers_are_asked_to_re_seat(client):
    """The pair shares the table of round 2, not started yet: only a re-plan keeps them apart,
    and the phone says so instead of promising it."""
    event = EventFactory(check_in=True)
    me = AttendeeFactory(event=event, checked_in=True)
    other = AttendeeFactory(event=event, checked_in=True, is_listed_in_guest_list=True)
    table = TableFactory(round=RoundFactory(event=event, number=2), number=1)
    SeatFactory(table=table, attendee=me, speaking_order=0)
    SeatFactory(table=table, attendee=other, speaking_order=1)

    page = client.post(reverse("apart", args=[me.token]), {"other": other.pk}, follow=True)

    assert "The organizers are asked, without your name, to re-seat the coming rounds" in (
        page.text
    )
    assert "Noted. You will not share a table" not in page.text


def test_a_co_organizer_blocking_is_told_it_is_the_owners_block(client):
    event = EventFactory(check_in=True)
    report = ReportFactory(event=event, about__name="Dana Lee", about__email="dana@example.com")
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(helper)

    page = client.get(reverse("conduct_reports", args=[event.pk]))
    blocked = client.post(
        reverse("report_action", args=[event.pk, report.pk]), {"action": "block"}, follow=True
    )

    assert "Block their email from the future events of this event’s owner" in page.text
    assert "from my future events" not in page.text
    assert "Dana Lee’s email is blocked from the future events of this event’s owner." in (
        blocked.text
    )
    assert EmailBlock.objects.get().organizer == event.organizer
    assert not EmailBlock.objects.filter(organizer=helper).exists()


def test_undo_removal_mid_round_tells_the_organizer_the_seat_given_back_and_no_one_else_can(
    client,
):
    from rounds.models import Seat
    from tests.conduct.test_services import live_event_with_plan

    event, _people = live_event_with_plan()
    seat = Seat.objects.filter(round__number=1, round__event=event, table__number=1).last()
    report = ReportFactory(event=event, about=seat.attendee, about__name="Dana Lee")
    Attendee.objects.filter(pk=seat.attendee_id).update(name="Dana Lee")
    url = reverse("report_action", args=[event.pk, report.pk])
    client.force_login(event.organizer)
    client.post(url, {"action": "remove"})
    stranger = Client()
    stranger.force_login(UserFactory())

    refused = stranger.post(url, {"action": "undo_remove"})
    assert refused.status_code == 404
    assert Attendee.objects.get(pk=seat.attendee_id).is_removed
    assert not Seat.objects.filter(round=seat.round, attendee_id=seat.attendee_id).exists()

    undone = client.post(url, {"action": "undo_remove"}, follow=True)
    again = client.post(url, {"action": "undo_remove"}, follow=True)

    assert "Dana Lee is back in the remaining rounds." in undone.text
    assert "Dana Lee sits at table 1 again in round 1, pitching last." in undone.text
    assert "This person was not removed." in again.text
    assert Seat.objects.filter(round=seat.round, attendee_id=seat.attendee_id).count() == 1
