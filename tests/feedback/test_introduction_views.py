from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models import Introduction
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    IntroductionFactory,
    PitchFactory,
    SeatFactory,
    TableFactory,
)
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(round_):
    """(pitcher, introducer, bystander) at one table."""
    table = TableFactory(round=round_, number=1)
    return [SeatFactory(table=table, speaking_order=order).attendee for order in range(3)]


@pytest.fixture
def introduction(round_, people):
    pitcher, introducer, _ = people
    card = CardFactory(round=round_, giver=introducer, receiver=pitcher, introduce=True)
    return IntroductionFactory(card=card, target="Ana at the port")


def move(client, attendee, introduction, *, htmx=False, **data):
    url = reverse("introduction_move", args=[attendee.token, introduction.pk])
    return client.post(url, data, **(HTMX if htmx else {}))


def test_leads_shows_an_introduction_to_both_sides_with_their_own_buttons(
    client, people, introduction
):
    pitcher, introducer, _ = people

    as_pitcher = client.get(reverse("leads", args=[pitcher.token]))
    as_introducer = client.get(reverse("leads", args=[introducer.token]))

    [offered] = as_pitcher.context["introductions"].offered_to_me
    [promised] = as_introducer.context["introductions"].promised_by_me
    assert (offered.person, offered.moves) == (introducer, ["accept", "decline"])
    assert (promised.person, promised.moves) == (pitcher, ["made"])
    assert as_pitcher.context["introductions"].promised_by_me == []
    assert "Ana at the port" in as_pitcher.text
    assert 'data-action="accept"' in as_pitcher.text
    assert 'data-action="made"' not in as_pitcher.text
    assert 'name="target"' in as_introducer.text
    assert 'data-action="accept"' not in as_introducer.text


def test_leads_links_to_email_preferences(client, people):
    response = client.get(reverse("leads", args=[people[0].token]))

    assert reverse("unsubscribe", args=[people[0].token]) in response.text


def test_introduction_move_every_step_through_the_view(client, people, introduction):
    pitcher, introducer, _ = people

    accepted = move(client, pitcher, introduction, action="accept")
    made = move(client, introducer, introduction, action="made", target="Ana Costa, Santos")
    said = move(client, pitcher, introduction, action="met")
    met = move(client, introducer, introduction, action="met")

    url = reverse("leads", args=[pitcher.token]) + f"#introduction-{introduction.pk}-item"
    assert accepted.status_code == 302
    assert accepted["Location"] == url
    assert made.status_code == said.status_code == met.status_code == 302
    introduction.refresh_from_db()
    assert (introduction.status, introduction.target) == ("met", "Ana Costa, Santos")


def test_introduction_move_decline_through_the_view(client, people, introduction):
    response = move(client, people[0], introduction, action="decline")

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == "declined"


def test_introduction_move_with_htmx_returns_the_fragment(client, people, introduction):
    pitcher = people[0]

    response = move(client, pitcher, introduction, htmx=True, action="accept")

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["feedback/partials/introduction.html"]
    assert response.text.strip().startswith(f'<li id="introduction-{introduction.pk}-item"')
    assert 'data-status="accepted"' in response.text
    assert 'data-action="decline"' in response.text
    assert 'data-action="accept"' not in response.text
    assert f'id="introduction-{introduction.pk}-decline"' in response.text


def test_introduction_move_met_by_the_introducer_waits_for_the_pitcher(
    client, people, introduction
):
    pitcher, introducer, _ = people
    move(client, introducer, introduction, action="made")

    response = move(client, introducer, introduction, htmx=True, action="met")
    pitchers_page = client.get(reverse("leads", args=[pitcher.token]))

    assert 'data-status="made"' in response.text
    assert "You said you met; waiting for" in response.text
    assert "<form" not in response.text
    assert "says the introduction led to a meeting. One tap to confirm." in pitchers_page.text
    assert ">Confirm: we met</button>" in pitchers_page.text


def test_introduction_move_confirmed_met_thanks_only_the_introducer(client, people, introduction):
    pitcher, introducer, _ = people
    move(client, introducer, introduction, action="made")
    move(client, pitcher, introduction, action="met")

    response = move(client, introducer, introduction, htmx=True, action="met")
    pitchers_page = client.get(reverse("leads", args=[pitcher.token]))

    assert 'data-status="met"' in response.text
    assert "confirmed that your introduction led to a meeting. Thank you!" in response.text
    assert "Thank you!" not in pitchers_page.text
    assert "<form" not in response.text


@pytest.mark.parametrize(
    ("who", "data", "error"),
    [
        (1, {"action": "accept"}, "This introduction is not yours to change."),
        (0, {"action": "made", "target": "Bo"}, "This introduction is not yours to change."),
        (0, {"action": "met"}, "This introduction is already offered."),
        (1, {"action": "fly"}, "Select a valid choice."),
    ],
)
def test_introduction_move_refusal_shows_the_message_and_changes_nothing(
    client, people, introduction, who, data, error
):
    response = move(client, people[who], introduction, **data)

    assert response.status_code == 400
    assert error in response.text
    assert Introduction.objects.get().status == "offered"


def test_introduction_move_made_without_whom_keeps_what_was_typed(client, people, introduction):
    introduction.target = ""
    introduction.save()
    introducer = people[1]

    plain = move(client, introducer, introduction, action="made", target="   ")
    htmx = move(client, introducer, introduction, htmx=True, action="made", target="x" * 201)

    assert plain.status_code == 400
    assert "Say whom you introduced them to." in plain.text
    assert htmx.status_code == 200
    assert "Ensure this value has at most 200 characters" in htmx.text
    assert 'role="alert"' in htmx.text
    assert Introduction.objects.get().status == "offered"


def test_introduction_move_refused_status_keeps_the_typed_name_with_htmx(
    client, people, introduction
):
    pitcher, introducer, _ = people
    move(client, pitcher, introduction, action="decline")

    response = move(client, introducer, introduction, htmx=True, action="made", target="Bo Li")

    assert "This introduction is already declined." in response.text
    assert Introduction.objects.get().target == "Ana at the port"


def test_introduction_move_of_someone_elses_introduction_is_not_found(client, people, introduction):
    bystander = people[2]

    response = move(client, bystander, introduction, action="accept")
    page = client.get(reverse("leads", args=[bystander.token]))

    assert response.status_code == 404
    assert page.context["introductions"].is_empty
    assert "Ana at the port" not in page.text


def test_introduction_move_of_another_events_introduction_is_not_found(client, introduction):
    outsider = AttendeeFactory()

    response = move(client, outsider, introduction, action="accept")

    assert response.status_code == 404


def test_introduction_move_with_an_unknown_token_is_not_found(client, introduction):
    url = reverse("introduction_move", args=["guessed", introduction.pk])

    assert client.post(url, {"action": "accept"}).status_code == 404


def test_introduction_move_refuses_get(client, people, introduction):
    url = reverse("introduction_move", args=[people[0].token, introduction.pk])

    assert client.get(url).status_code == 405


@pytest.mark.parametrize("count", [1, 3])
def test_leads_queries_do_not_grow_with_introductions(
    client, round_, count, django_assert_num_queries
):
    table = TableFactory(round=round_, number=1)
    me = SeatFactory(table=table).attendee
    for _ in range(count):
        other = SeatFactory(table=table).attendee
        PitchFactory(attendee=other)
        offered = CardFactory(round=round_, giver=other, receiver=me, introduce=True)
        promised = CardFactory(round=round_, giver=me, receiver=other, introduce=True)
        IntroductionFactory(card=offered)
        IntroductionFactory(card=promised)

    open_link(client, me.token)  # the phone's first opening binds it (one write)
    with django_assert_num_queries(5):
        response = client.get(reverse("leads", args=[me.token]))

    assert len(response.context["introductions"].offered_to_me) == count
    assert len(response.context["introductions"].promised_by_me) == count
