from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.codegate import SESSION_TOKENS
from feedback import reports, services
from feedback.models import Card, Introduction
from rounds.models import Round
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    EventFactory,
    IntroductionFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def seat(round_, tables: list[list]) -> None:
    for number, people in enumerate(tables, start=1):
        table = TableFactory(round=round_, number=number)
        for order, person in enumerate(people):
            SeatFactory(table=table, attendee=person, speaking_order=order)


def give(round_, giver, receiver, kind=Card.Kind.SEE_ME, status=None):
    card = CardFactory(round=round_, giver=giver, receiver=receiver, kind=kind, note="a banker")
    if kind == Card.Kind.INTRODUCE:
        now = timezone.now()
        times = {
            Introduction.Status.MADE: {"made_at": now},
            Introduction.Status.MET: {"made_at": now, "met_at": now},
            Introduction.Status.ACCEPTED: {"accepted_at": now},
            Introduction.Status.DECLINED: {"declined_at": now},
        }.get(status, {})
        IntroductionFactory(card=card, status=status or Introduction.Status.OFFERED, **times)
    return card


@pytest.fixture
def event():
    """Seven people: Gus never came, Finn left early. Rounds 1 and 2 were played, round 3 was
    planned only. Ada and Ben sat together twice. Ten cards, six introductions."""
    event = EventFactory(closed=True, title="Harbour Night")
    people = {
        key: AttendeeFactory(event=event, name=name, checked_in=key != "g")
        for key, name in [
            ("a", "Ada Park"),
            ("b", "Ben Ortiz"),
            ("c", "陈丽"),
            ("d", "Dev Rao"),
            ("e", "Eve Stone"),
            ("f", "Finn Lee"),
            ("g", "Gus Hall"),
        ]
    }
    a, b, c, d, e, f, _g = people.values()
    f.left_at = timezone.now()
    f.save()
    one = RoundFactory(event=event, number=1, done=True)
    two = RoundFactory(event=event, number=2, done=True)
    three = RoundFactory(event=event, number=3)
    seat(one, [[a, b, c], [d, e, f]])
    seat(two, [[a, b, d], [c, e]])
    seat(three, [[a, e], [b, c]])
    give(one, b, a)
    give(one, c, a)
    give(one, f, d)
    give(one, a, b, Card.Kind.INTRODUCE, Introduction.Status.MADE)
    give(one, a, c, Card.Kind.INTRODUCE, Introduction.Status.OFFERED)
    give(one, e, d, Card.Kind.INTRODUCE, Introduction.Status.MET)
    give(two, a, d)
    give(two, d, a, Card.Kind.INTRODUCE, Introduction.Status.DECLINED)
    give(two, c, e, Card.Kind.INTRODUCE, Introduction.Status.OFFERED)
    give(two, b, d, Card.Kind.INTRODUCE, Introduction.Status.ACCEPTED)
    return event


def test_event_report_attendance(event):
    report = reports.event_report(event)

    assert (report.registered, report.checked_in, report.no_shows, report.left_early) == (
        7,
        6,
        1,
        1,
    )


def test_event_report_cards_per_played_round_and_kind(event):
    report = reports.event_report(event)

    assert [(r.number, r.see_me, r.introduce) for r in report.cards_by_round] == [
        (1, 3, 3),
        (2, 1, 3),
    ]
    assert (report.see_me_total, report.introduce_total, report.cards_total) == (4, 6, 10)


def test_event_report_share_of_checked_in_attendees_with_a_card(event):
    report = reports.event_report(event)

    assert report.receivers == 5
    assert report.received_share == 5 / 6


def test_event_report_people_met_from_played_rounds_only(event):
    report = reports.event_report(event)

    assert report.met == reports.MetDistribution(
        people=6,
        minimum=2,
        median=3.0,
        maximum=4,
        mean=3.0,
        histogram=((2, 1), (3, 4), (4, 1)),
    )
    assert report.repeat_pairs == 1


def test_event_report_introductions_by_status_and_follow_up_rate(event):
    report = reports.event_report(event)

    assert [(s.status, s.count) for s in report.introductions_by_status] == [
        ("offered", 2),
        ("accepted", 1),
        ("made", 1),
        ("met", 1),
        ("declined", 1),
    ]
    assert (report.followed_up, report.follow_up_base) == (2, 5)
    assert report.follow_up_rate == 0.4


def test_event_report_top_connectors_by_offers_then_name(event):
    report = reports.event_report(event)

    assert [(c.name, c.offered) for c in report.connectors] == [
        ("Ada Park", 2),
        ("Ben Ortiz", 1),
        ("Dev Rao", 1),
        ("Eve Stone", 1),
        ("陈丽", 1),
    ]


def test_event_report_of_an_empty_event_has_no_rates():
    report = reports.event_report(EventFactory())

    assert report.registered == 0
    assert report.received_share is None
    assert report.follow_up_rate is None
    assert report.met.people == 0
    assert report.cards_by_round == ()


def test_event_report_after_erasure_shows_the_anonymized_name(event):
    ada = event.attendees.get(name="Ada Park")
    ada.name, ada.email, ada.erased_at = "Erased attendee", "", timezone.now()
    ada.save()

    report = reports.event_report(event)

    assert report.connectors[0].name == "Erased attendee"
    assert report.cards_total == 10


def test_report_charts_bars_carry_their_numbers(event):
    charts = reports.report_charts(reports.event_report(event))

    assert [(bar.series, bar.value) for bar in charts.cards.bars] == [
        ("see_me", 3),
        ("introduce", 3),
        ("see_me", 1),
        ("introduce", 3),
    ]
    assert charts.cards.bars[2].description == "Round 2, See me: 1"
    assert [bar.value for bar in charts.met.bars] == [1, 4, 1]
    tallest = max(charts.met.bars, key=lambda bar: bar.height)
    assert (tallest.value, tallest.y + tallest.height) == (4, charts.met.baseline)


@pytest.fixture
def organizer(client, event):
    client.force_login(event.organizer)
    return client


def test_event_report_page_renders_figures_charts_and_tables(organizer, event):
    response = organizer.get(reverse("event_report", args=[event.pk]))

    assert response.status_code == 200
    html = response.text
    assert html.count('role="img"') == 3
    assert "<title>Cards per round, by kind</title>" in html
    assert 'aria-label="Round 1, I can introduce you to someone: 3"' in html
    assert 'aria-label="Declined: 1"' in html
    assert 'aria-label="Attendees who met 3 people: 4"' in html
    assert '<dd id="report-received-share">83 %</dd>' in html
    assert '<dd id="report-follow-up-rate">40 %</dd>' in html
    assert '<dd id="report-repeat-pairs">1</dd>' in html
    assert "made or met ÷ introductions offered" in html
    assert "<script" not in html
    assert "style=" not in html
    assert "css/report.css" in html


def test_event_report_counts_a_removed_person_apart_as_the_dashboard_does(organizer, event):
    """Ada was taken out of the rounds after a report: not checked in, not "left early", a
    line of her own; the dashboard's checked-in figure (here at the end) says the same."""
    from events.queries import door_counts

    now = timezone.now()
    event.attendees.filter(name="Finn Lee").update(left_at=None)  # nobody left on their own
    event.attendees.filter(name="Ada Park").update(removed_at=now, left_at=now)

    report = reports.event_report(event)
    html = organizer.get(reverse("event_report", args=[event.pk])).text

    assert (report.checked_in, report.left_early, report.removed) == (5, 0, 1)
    assert report.checked_in == door_counts(event)["present"]
    assert '<dd id="report-checked-in">5</dd>' in html
    assert '<dd id="report-left-early">0</dd>' in html
    assert '<dd id="report-removed">1</dd>' in html
    assert "People removed after a report are counted apart" in html


def test_event_report_bars_have_whole_pixel_geometry(organizer, event):
    html = organizer.get(reverse("event_report", args=[event.pk])).text

    rects = re.findall(r'<rect class="chart-bar[^"]*" x="(\d+)" y="(\d+)" width="(\d+)"', html)
    assert len(rects) == 4 + 3 + 5


ORGANIZER_URLS = [
    ("event_report", []),
    ("event_export", ["attendees"]),
    ("event_export", ["cards"]),
    ("event_export", ["introductions"]),
]


@pytest.mark.parametrize(("name", "extra"), ORGANIZER_URLS)
def test_after_event_pages_of_another_organizers_event_are_not_found(client, event, name, extra):
    client.force_login(UserFactory())

    assert client.get(reverse(name, args=[event.pk, *extra])).status_code == 404


@pytest.mark.parametrize(("name", "extra"), ORGANIZER_URLS)
def test_after_event_pages_send_anonymous_visitors_to_sign_in(client, event, name, extra):
    response = client.get(reverse(name, args=[event.pk, *extra]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "extra"), ORGANIZER_URLS)
def test_after_event_pages_give_an_attendee_nothing(client, event, name, extra):
    ada = event.attendees.get(name="Ada Park")
    session = client.session
    session[SESSION_TOKENS] = {str(event.pk): ada.token}
    session.save()

    response = client.get(reverse(name, args=[event.pk, *extra]), {"token": ada.token})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_after_event_pages_are_open_to_a_co_organizer(client, event):
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(helper)

    assert client.get(reverse("event_report", args=[event.pk])).status_code == 200


def test_event_export_of_an_unknown_kind_is_not_found(organizer, event):
    assert organizer.get(reverse("event_export", args=[event.pk, "seats"])).status_code == 404


def test_event_detail_links_to_the_report_and_exports(organizer, event):
    html = organizer.get(reverse("event_detail", args=[event.pk])).text

    assert reverse("event_report", args=[event.pk]) in html
    for kind in ("attendees", "cards", "introductions"):
        assert reverse("event_export", args=[event.pk, kind]) in html


def build_event(size: int):
    """An event with ``size`` people at one table of each of ``size`` played rounds, each giving
    the next one a card and an introduction."""
    event = EventFactory(closed=True)
    people = [AttendeeFactory(event=event, checked_in=True) for _ in range(size + 1)]
    for number in range(1, size + 1):
        round_ = RoundFactory(event=event, number=number, status=Round.Status.DONE, done=True)
        seat(round_, [people])
        give(round_, people[number - 1], people[number])
        give(round_, people[number - 1], people[number], Card.Kind.INTRODUCE)
    return event


@pytest.mark.parametrize("size", [1, 3])
def test_event_report_queries_do_not_grow_with_the_event(size, django_assert_num_queries):
    event = build_event(size)

    with django_assert_num_queries(7):
        report = reports.event_report(event)

    assert len(report.cards_by_round) == size
    assert report.cards_total == 2 * size


@pytest.mark.parametrize("size", [1, 3])
def test_event_report_page_queries_do_not_grow_with_the_event(
    client, size, django_assert_num_queries
):
    event = build_event(size)
    client.force_login(event.organizer)
    client.get(reverse("event_report", args=[event.pk]))

    with django_assert_num_queries(12):
        assert client.get(reverse("event_report", args=[event.pk])).status_code == 200


def test_event_report_met_counts_only_confirmed_meetings(client, event):
    made = Introduction.objects.filter(card__round__event=event, status="made").get()
    pitcher = made.card.receiver
    services.move_introduction(made, action="met", by=pitcher)

    report = reports.event_report(event)

    counts = {s.status: s.count for s in report.introductions_by_status}
    assert (counts["made"], counts["met"], report.met_awaiting_confirmation) == (1, 1, 1)
