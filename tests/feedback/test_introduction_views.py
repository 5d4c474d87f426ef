from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Attendee
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
    """A step from the attendee's own phone (the first browser to open their link)."""
    open_link(client, attendee.token)
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
    assert "The name is at most 200 characters." in htmx.text
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


# Moving an introduction needs the attendee's confirmed device, as My details does: a badge
# photo's link (another browser) moves nothing, and is shown how to confirm it is them.


def mailed_code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


@pytest.mark.parametrize(
    ("who", "data"),
    [(0, {"action": "accept"}), (0, {"action": "decline"}), (1, {"action": "made"})],
)
def test_introduction_move_from_another_browser_is_refused_with_the_code_flow(
    people, introduction, who, data
):
    attendee = people[who]
    Attendee.objects.filter(pk=attendee.pk).update(email="owner@example.com")
    open_link(Client(), attendee.token)  # their own phone, first
    stranger = Client()  # only the link, from a photographed badge

    url = reverse("introduction_move", args=[attendee.token, introduction.pk])
    response = stranger.post(url, data)

    assert response.status_code == 403
    assert "To answer your introductions from here, confirm it is you." in response.text
    assert 'name="next_page" value="leads"' in response.text
    assert "Email me a code" in response.text
    assert Introduction.objects.get(pk=introduction.pk).status == introduction.status


def test_introduction_met_from_another_browser_is_refused(round_, people):
    pitcher, introducer, _ = people
    card = CardFactory(round=round_, giver=introducer, receiver=pitcher, introduce=True)
    introduction = IntroductionFactory(card=card, target="Ana at the port", made=True)
    open_link(Client(), pitcher.token)

    response = Client().post(
        reverse("introduction_move", args=[pitcher.token, introduction.pk]), {"action": "met"}
    )

    assert response.status_code == 403
    assert Introduction.objects.get(pk=introduction.pk).status == Introduction.Status.MADE


def test_introduction_move_from_another_browser_with_htmx_is_sent_to_confirm(people, introduction):
    pitcher = people[0]
    open_link(Client(), pitcher.token)

    response = move(Client(), pitcher, introduction, htmx=True, action="decline")

    assert response.status_code == 403
    assert response["HX-Redirect"] == (
        reverse("device_confirm", args=[pitcher.token]) + "?next_page=leads"
    )
    assert Introduction.objects.get(pk=introduction.pk).status == introduction.status


def test_introduction_move_from_the_phone_that_opened_the_link_needs_no_extra_step(
    people, introduction
):
    pitcher = people[0]
    phone = Client()
    open_link(phone, pitcher.token)

    page = phone.get(reverse("leads", args=[pitcher.token]))
    response = move(phone, pitcher, introduction, action="accept")

    assert 'data-action="accept"' in page.text
    assert "confirm it is you" not in page.text
    assert response.status_code == 302
    assert Introduction.objects.get(pk=introduction.pk).status == Introduction.Status.ACCEPTED


def test_digest_link_on_another_device_offers_to_confirm_then_moves(
    people, introduction, mailoutbox
):
    """The follow-up mail read on a laptop: the leads page shows the introduction and a way to
    confirm (a code mailed to the attendee), after which the laptop moves it."""
    pitcher = people[0]
    Attendee.objects.filter(pk=pitcher.pk).update(email="pitcher@example.com")
    open_link(Client(), pitcher.token)  # the phone at the event
    laptop = Client()
    confirm_url = reverse("device_confirm", args=[pitcher.token])

    page = laptop.get(reverse("leads", args=[pitcher.token]))
    asked = laptop.get(f"{confirm_url}?next_page=leads")
    laptop.post(confirm_url, {"action": "send", "next_page": "leads"})
    confirmed = laptop.post(
        confirm_url, {"action": "check", "code": mailed_code(mailoutbox), "next_page": "leads"}
    )
    after = laptop.get(reverse("leads", args=[pitcher.token]))
    moved = move(laptop, pitcher, introduction, action="accept")

    assert "Ana at the port" in page.text
    assert 'data-action="accept"' not in page.text
    assert f'href="{confirm_url}?next_page=leads"' in page.text
    assert asked.status_code == 200
    assert "To answer your introductions from here, confirm it is you." in asked.text
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("leads", args=[pitcher.token])
    assert 'data-action="accept"' in after.text
    assert moved.status_code == 302
    assert Introduction.objects.get(pk=introduction.pk).status == Introduction.Status.ACCEPTED


def test_device_confirm_page_on_the_confirmed_device_goes_straight_on(people):
    pitcher = people[0]
    phone = Client()
    open_link(phone, pitcher.token)

    response = phone.get(reverse("device_confirm", args=[pitcher.token]) + "?next_page=leads")

    assert response.status_code == 302
    assert response["Location"] == reverse("leads", args=[pitcher.token])


def test_email_me_a_code_from_the_leads_stays_on_the_code_page_then_goes_on(
    people, introduction, mailoutbox
):
    """The leads page's "Email me a code": the browser stays on the code page, told the code
    is on its way and with the field to enter it; the right code then goes on to the leads."""
    pitcher = people[0]
    Attendee.objects.filter(pk=pitcher.pk).update(email="pitcher@example.com")
    open_link(Client(), pitcher.token)  # the phone at the event
    laptop = Client()
    confirm_url = reverse("device_confirm", args=[pitcher.token])

    sent = laptop.post(confirm_url, {"action": "send", "next_page": "leads"}, follow=True)
    confirmed = laptop.post(
        confirm_url, {"action": "check", "code": mailed_code(mailoutbox), "next_page": "leads"}
    )

    assert sent.redirect_chain == [(f"{confirm_url}?next_page=leads", 302)]
    assert "A code is on its way to p•••@example.com." in sent.text
    assert f'id="attendee-{pitcher.pk}-check-code"' in sent.text
    assert 'name="next_page" value="leads"' in sent.text
    assert confirmed["Location"] == reverse("leads", args=[pitcher.token])
