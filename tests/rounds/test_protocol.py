"""What the server sends matches docs/protocol.md: the same fields, the same kinds of values."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from events import services as event_services
from events.models import Attendee
from feedback import services as feedback_services
from rounds import broadcasts, services
from rounds.groups import attendee_group, event_group, projector_group
from tests.conftest import acreate, open_phone
from tests.factories import AttendeeFactory, EventFactory, RoundFactory, SeatFactory, TableFactory

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def documented_examples() -> dict[str, dict]:
    """The example of each message type, from the ```json blocks of the protocol document."""
    blocks = re.findall(r"```json\n(.*?)```", PROTOCOL.read_text(), flags=re.DOTALL)
    examples = [json.loads(block) for block in blocks]
    return {example["type"]: example for example in examples}


def kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_same_shape(actual: object, documented: object, path: str = "$") -> None:
    """Same keys at every level; values of the same kind wherever both are given (null in the
    example or in the message stands for "may be absent")."""
    if actual is None or documented is None:
        return
    assert kind(actual) == kind(documented), f"{path}: {actual!r} vs documented {documented!r}"
    if isinstance(actual, dict):
        assert sorted(actual) == sorted(documented), f"{path}: keys differ"
        for key in actual:
            assert_same_shape(actual[key], documented[key], f"{path}.{key}")
    elif isinstance(actual, list) and actual and documented:
        for index, item in enumerate(actual):
            assert_same_shape(item, documented[0], f"{path}[{index}]")


def test_protocol_documents_every_message_type():
    assert sorted(documented_examples()) == [
        "announce",
        "card",
        "card_ack",
        "people",
        "person",
        "plan",
        "pong",
        "presence",
        "report",
        "round",
        "state",
    ]


@pytest.mark.django_db
def test_protocol_people_push_matches(listen, django_capture_on_commit_callbacks):
    event = EventFactory(live=True)
    screen = listen(projector_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        event_services.check_in(AttendeeFactory(event=event), by=event.organizer)

    assert screen.messages() == [documented_examples()["people"]]


@pytest.fixture
def seated(db):
    event = EventFactory(live=True)
    round_ = RoundFactory(event=event, number=1)
    table = TableFactory(round=round_, number=1)
    people = [SeatFactory(table=table, speaking_order=order).attendee for order in range(2)]
    return event, round_, people


@pytest.mark.django_db
def test_protocol_round_announce_card_and_plan_pushes_match(
    seated, listen, django_capture_on_commit_callbacks
):
    event, round_, (pitcher, listener) = seated
    room = listen(event_group(event.pk))
    pitcher_phone = listen(attendee_group(pitcher.pk))
    examples = documented_examples()

    with django_capture_on_commit_callbacks(execute=True):
        running = services.start_round(round_, by=None)
        services.pause_round(running, by=None)
        services.announce(event, text="Coffee in the lobby", by=None)
        feedback_services.give_card(
            listener, receiver=pitcher, round_=running, kind="introduce", client_id=uuid.uuid4()
        )
    broadcasts.broadcast_itineraries([pitcher.pk])

    started, paused, announced = room.messages()
    card, plan = pitcher_phone.messages()
    for message in (started, paused, announced, card, plan):
        assert_same_shape(message, examples[message["type"]])
    assert paused["round"]["paused_remaining_ms"] > 0


@pytest.mark.django_db
def test_protocol_person_push_matches(seated, listen):
    event, round_, (erased, mate) = seated
    services.start_round(round_, by=None)
    Attendee.objects.filter(pk=erased.pk).update(erased_at=event.created_at)
    phone = listen(attendee_group(mate.pk))

    broadcasts.broadcast_erased(erased.pk)

    (person,) = phone.messages()
    assert_same_shape(person, documented_examples()["person"])


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_protocol_state_and_pong_match(asgi_app):
    round_ = await acreate(RoundFactory, number=1, running=True)
    attendee = await acreate(AttendeeFactory, event=round_.event)
    examples = documented_examples()
    phone, state, presence = await open_phone(asgi_app, attendee.token)

    await phone.send_to(text_data=json.dumps({"type": "ping", "id": 1, "t": 12.5}))
    pong = json.loads(await phone.receive_from())

    assert_same_shape(state, examples["state"])
    assert_same_shape(presence, examples["presence"])
    assert_same_shape(pong, examples["pong"])
    await phone.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_protocol_card_ack_matches(asgi_app):
    round_ = await acreate(RoundFactory, number=1, running=True)
    table = await acreate(TableFactory, round=round_, number=1)
    pitcher = (await acreate(SeatFactory, table=table, speaking_order=0)).attendee
    listener = (await acreate(SeatFactory, table=table, speaking_order=1)).attendee
    phone, _, _ = await open_phone(asgi_app, listener.token)
    tap = {"type": "card", "action": "give", "client_id": str(uuid.uuid4())}

    await phone.send_to(
        text_data=json.dumps({**tap, "receiver": pitcher.pk, "round": 1, "kind": "see_me"})
    )
    ack = json.loads(await phone.receive_from())

    assert_same_shape(ack, documented_examples()["card_ack"])
    await phone.disconnect()


@pytest.mark.django_db
def test_protocol_presence_push_matches_for_check_in_its_undo_and_leaving(
    listen, django_capture_on_commit_callbacks
):
    from events import services as event_services

    event = EventFactory(check_in=True)
    person = AttendeeFactory(event=event)
    phone = listen(attendee_group(person.pk))

    with django_capture_on_commit_callbacks(execute=True):
        event_services.check_in(person)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.mark_left(person)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.undo_check_in(person)

    messages = phone.messages()
    for message in messages:
        assert_same_shape(message, documented_examples()["presence"])
    assert messages == [
        {"type": "presence", "checked_in": True, "left": False, "removed": False, "sharing": None},
        {"type": "presence", "checked_in": True, "left": True, "removed": False, "sharing": None},
        {"type": "presence", "checked_in": False, "left": False, "removed": False, "sharing": None},
    ]
